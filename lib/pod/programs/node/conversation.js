// Reads one session rollout for the conversation view, line by line, without what the view
// never shows (see _rollout-lines.js), so a session of many images stays small; at most 16 MB
// are sent. argv: home, the rollout's path under sessions/ (ROLLOUT_PATH of
// lib/images/conversation.ts, checked again here).
// Output: frame `rollout` with the lines as its body, or `gone` (no such regular file); then `end`.
"use strict";
const fs = require("fs");
const H = process.argv[1], REL = process.argv[2] || "";
const m = (head) => process.stdout.write("\n@@" + nonce + "@@ " + head + "\n");
if (!/^\d{4}\/\d{2}\/\d{2}\/rollout-[A-Za-z0-9_.:-]{1,200}\.jsonl$/.test(REL)) { m("E badpath"); process.exit(2); }
const { reduceLine, forEachLine } = require("./_rollout-lines.js");
const MAX_OUT = 16 * 1024 * 1024, MAX_LINE = 4 * 1024 * 1024, BIG = 64 * 1024;
let fd;
try {
  // O_NONBLOCK: a FIFO swapped in under the rollout's name must not hang the open.
  fd = fs.openSync(H + "/sessions/" + REL, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | (fs.constants.O_NONBLOCK || 0));
  if (!fs.fstatSync(fd).isFile()) { fs.closeSync(fd); fd = undefined; }
} catch { fd = undefined; }
if (fd === undefined) { m("gone"); m("end"); process.exit(0); }
// Lines are gathered and written 64 KB at a time, as the listing does.
let pending = [], pendingBytes = 0, sent = 0;
const flushOut = () => { if (pendingBytes) process.stdout.write(pending.join("")); pending = []; pendingBytes = 0; };
m("rollout");
try {
  forEachLine(fd, (line) => {
    const r = reduceLine(line, BIG, MAX_LINE);
    if (!r || sent + r.length + 1 > MAX_OUT) return;
    sent += r.length + 1;
    pending.push(r + "\n"); pendingBytes += r.length + 1;
    if (pendingBytes >= 65536) flushOut();
  });
} finally { fs.closeSync(fd); }
flushOut();
m("end");
