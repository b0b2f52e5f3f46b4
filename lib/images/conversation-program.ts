// The pod program that reads one session rollout for the conversation view. Run by
// FROM_STDIN (see pod-scripts.ts); argv: home, the rollout's path under sessions/.
// It sends the rollout line by line without what the view never shows (the image bytes,
// encrypted reasoning, Codex's base instructions), so a session of many images stays small.

/** A rollout's path under sessions/, as the listing names it. */
export const ROLLOUT_PATH = /^\d{4}\/\d{2}\/\d{2}\/rollout-[A-Za-z0-9_.:-]{1,200}\.jsonl$/;

export const CONVERSATION_NODE = String.raw`"use strict";
const fs = require("fs");
const H = process.argv[1], REL = process.argv[2] || "";
if (!${ROLLOUT_PATH.toString()}.test(REL)) { process.stderr.write("bad path"); process.exit(2); }
const SKIP = /"type":"(token_count|task_started|task_complete|turn_context|reasoning|agent_reasoning|world_state|token_usage_record)"/;
const MAX_OUT = 16 * 1024 * 1024, MAX_LINE = 4 * 1024 * 1024;
let fd;
try { fd = fs.openSync(H + "/sessions/" + REL, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | (fs.constants.O_NONBLOCK || 0)); }
catch (e) { process.stderr.write("missing"); process.exit(3); }
if (!fs.fstatSync(fd).isFile()) { process.stderr.write("not a file"); process.exit(3); }
let sent = 0, rest = "";
const emit = (line) => {
  if (!line || SKIP.test(line.slice(0, 400))) return;
  if (line.length > 64 * 1024) {
    try {
      const r = JSON.parse(line);
      if (r && r.payload) { delete r.payload.result; delete r.payload.base_instructions; delete r.payload.encrypted_content; }
      line = JSON.stringify(r);
    } catch { return; }
    if (line.length > MAX_LINE) return;
  }
  if (sent + line.length + 1 > MAX_OUT) return;
  sent += line.length + 1;
  process.stdout.write(line + "\n");
};
const dec = new (require("string_decoder").StringDecoder)("utf8");
const buf = Buffer.alloc(1024 * 1024);
let pos = 0, dropping = false;
for (;;) {
  const n = fs.readSync(fd, buf, 0, buf.length, pos);
  if (n <= 0) break;
  pos += n;
  const parts = (rest + dec.write(buf.subarray(0, n))).split("\n");
  rest = parts.pop();
  for (const p of parts) { if (dropping) { dropping = false; continue; } emit(p); }
  // A line past 64 MB is no line the view needs: drop it to its end.
  if (rest.length > 64 * 1024 * 1024) { rest = ""; dropping = true; }
}
if (!dropping) emit(rest);
fs.closeSync(fd);
`;
