// Lists generated images (PNG/GIF/WebP/JPEG dimensions from the first bytes), then the stable
// copies the delivery skill keeps (`stable` frames, named like generated_images'), and
// streams each session rollout reduced to the records the dashboard reads. Rollouts whose
// `path|size|mtime` are in its input (already known to the dashboard) are only named.
// argv: home. Output: frames `@@nonce@@ <kind> <json>`, a rollout's lines after its frame.
"use strict";
const fs = require("fs");
const H = process.argv[1], N = nonce;
// Lines are gathered and written 64 KB at a time: one write per line would be one
// WebSocket message per image on the way to the dashboard.
let pending = [], pendingBytes = 0;
const flushOut = () => { if (pendingBytes) process.stdout.write(pending.join("")); pending = []; pendingBytes = 0; };
const out = (s) => { pending.push(s); pendingBytes += s.length; if (pendingBytes >= 65536) flushOut(); };
const mark = (kind, meta) => out("@@" + N + "@@ " + kind + " " + JSON.stringify(meta) + "\n");
let known = new Set();
try { known = new Set(JSON.parse(input || "[]")); } catch {}
const { imageFolder, imageScanner } = require("./_scan-images.js");
const { reduceLine, forEachLine } = require("./_rollout-lines.js");
const { dirs, scanImages } = imageScanner(imageFolder(H, "generated"));
function dims(fd) {
  try {
    // JPEG keeps its size in a frame header further in; the others say it in the first bytes.
    let b = Buffer.alloc(64); let n = fs.readSync(fd, b, 0, b.length, 0);
    if (n >= 2 && b[0] === 0xff && b[1] === 0xd8) { b = Buffer.alloc(64 * 1024); n = fs.readSync(fd, b, 0, b.length, 0); }
    if (n >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("latin1", 12, 16) === "IHDR") return [b.readUInt32BE(16), b.readUInt32BE(20)];
    if (n >= 10 && b.toString("latin1", 0, 3) === "GIF") return [b.readUInt16LE(6), b.readUInt16LE(8)];
    if (n >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
      const k = b.toString("latin1", 12, 16);
      if (k === "VP8X") return [1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3)];
      if (k === "VP8 ") return [b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff];
      if (k === "VP8L") { const v = b.readUInt32LE(21); return [1 + (v & 0x3fff), 1 + ((v >> 14) & 0x3fff)]; }
    }
    if (n >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      let i = 2;
      while (i + 9 < n) {
        if (b[i] !== 0xff) { i++; continue; }
        const m = b[i + 1];
        if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return [b.readUInt16BE(i + 7), b.readUInt16BE(i + 5)];
        i += 2 + b.readUInt16BE(i + 2);
      }
    }
  } catch {}
  return null;
}
mark("home", { home: H });
const imageMark = (kind) => (p, st, fd) => { const d = dims(fd); mark(kind, { p, s: st.size, m: Math.round(st.mtimeMs), w: d ? d[0] : null, h: d ? d[1] : null, i: st.ino }); };
scanImages(imageMark("image"), (p, why) => mark("stray", { p, why }));
// The stable folder's strays are the skill's business, not the gallery's: not named.
imageScanner(imageFolder(H, "stable")).scanImages(imageMark("stable"), () => {});
const MAX_LINE = 1024 * 1024, BIG = 256 * 1024;
function sendRollout(full, rel, st) {
  mark("session", { p: rel, s: st.size, m: Math.round(st.mtimeMs) });
  let fd;
  try { fd = fs.openSync(full, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW); } catch { return; }
  try { forEachLine(fd, (line) => { const r = reduceLine(line, BIG, MAX_LINE); if (r) out(r + "\n"); }); }
  catch {} finally { fs.closeSync(fd); }
}
const S = H + "/sessions";
for (const y of dirs(S)) if (y.isDirectory() && /^\d{4}$/.test(y.name))
  for (const mo of dirs(S + "/" + y.name)) if (mo.isDirectory() && /^\d{2}$/.test(mo.name))
    for (const d of dirs(S + "/" + y.name + "/" + mo.name)) if (d.isDirectory() && /^\d{2}$/.test(d.name))
      for (const f of dirs(S + "/" + y.name + "/" + mo.name + "/" + d.name)) {
        if (!f.isFile() || !/^rollout-[A-Za-z0-9_.:-]+\.jsonl$/.test(f.name)) continue;
        const rel = y.name + "/" + mo.name + "/" + d.name + "/" + f.name;
        let st; try { st = fs.lstatSync(S + "/" + rel); } catch { continue; }
        if (known.has(rel + "|" + st.size + "|" + Math.round(st.mtimeMs))) { mark("known", { p: rel, s: st.size, m: Math.round(st.mtimeMs) }); continue; }
        sendRollout(S + "/" + rel, rel, st);
      }
let marks = "";
try {
  const fd = fs.openSync(H + "/openab-dashboard/deliveries.jsonl", fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try { const b = Buffer.alloc(4 * 1024 * 1024); const n = fs.readSync(fd, b, 0, b.length, 0); marks = b.subarray(0, n).toString("utf8"); } finally { fs.closeSync(fd); }
} catch {}
mark("marks", { bytes: Buffer.byteLength(marks) });
out(marks.endsWith("\n") || marks === "" ? marks : marks + "\n");
mark("end", {});
flushOut();
