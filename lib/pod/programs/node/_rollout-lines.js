"use strict";
// How a session rollout is read in the pod, shared by the listing (inventory.js) and the
// conversation view (conversation.js): line by line from the open file, without the records the
// dashboard never reads, and a long line without what it never shows (the image bytes,
// encrypted reasoning, Codex's base instructions). Inlined into each program at build time.
const fs = require("fs");
const SKIP = /"type":"(token_count|task_started|task_complete|turn_context|reasoning|agent_reasoning|world_state|token_usage_record)"/;

/**
 * The line as the dashboard reads it, or null: empty, a record it skips, or a line over `big`
 * that is no JSON or is still over `maxLine` once reduced.
 * @param {string} line
 * @param {number} big
 * @param {number} maxLine
 */
function reduceLine(line, big, maxLine) {
  if (!line) return null;
  if (line.length <= big) return SKIP.test(line.slice(0, 400)) ? null : line;
  try {
    const r = JSON.parse(line);
    if (r && r.payload) { delete r.payload.result; delete r.payload.base_instructions; delete r.payload.encrypted_content; }
    const s = JSON.stringify(r);
    return s.length <= maxLine ? s : null;
  } catch { return null; }
}

/**
 * Calls `onLine` with each line of the open file `fd` (as text, without its newline), the last
 * one too when it has no newline. A line past 64 MB is no line the dashboard needs: dropped whole.
 * @param {number} fd
 * @param {(line: string) => void} onLine
 */
function forEachLine(fd, onLine) {
  const buf = Buffer.alloc(1024 * 1024);
  let rest = [], restLen = 0, drop = false, pos = 0;
  const flush = (b) => { if (drop) { drop = false; return; } onLine(b.toString("utf8")); };
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) break;
    pos += n;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= n) break;
      const piece = buf.subarray(start, nl);
      if (restLen) { if (!drop) rest.push(Buffer.from(piece)); flush(Buffer.concat(rest)); rest = []; restLen = 0; }
      else flush(piece);
      start = nl + 1;
    }
    if (start < n) {
      restLen += n - start;
      if (restLen > 64 * 1024 * 1024) { drop = true; rest = []; }
      else if (!drop) rest.push(Buffer.from(buf.subarray(start, n)));
    }
  }
  if (restLen && !drop) flush(Buffer.concat(rest));
}

module.exports = { reduceLine, forEachLine };
