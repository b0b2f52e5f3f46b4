// Fixed programs the dashboard runs in an agent's pod with node (the Codex image has it).
// Values arrive as argv or stdin, never spliced into the code. The shell wrapper only
// resolves Codex's home the way Codex does.

/** Codex's home in H, the node program (`$1`) in P, its own arguments left in `$@`. */
const CODEX_HOME_AND_PROGRAM = 'H="${CODEX_HOME:-${HOME:-/home/node}/.codex}"; P="$1"; shift; ';
/** $1 = node program, then its own arguments; argv[1] in node is the Codex home. */
export const WITH_CODEX_HOME = CODEX_HOME_AND_PROGRAM + 'exec node -e "$P" "$H" "$@"';

/**
 * WITH_CODEX_HOME at a lower CPU priority, where the image has `nice`: the dashboard reading
 * an agent's volume must not slow the agent's own work, and a page's listing must not slow
 * the transfer of its images.
 */
export const WITH_CODEX_HOME_NICE =
  CODEX_HOME_AND_PROGRAM + 'if command -v nice >/dev/null 2>&1; then exec nice -n 10 node -e "$P" "$H" "$@"; fi; exec node -e "$P" "$H" "$@"';

/**
 * Loads a program sent on stdin ahead of its input: `<byte length>\n<program><input>`. An
 * exec's argv travels in its URL, and an API server, or a proxy in front of it, may refuse a
 * request line over 8 or 16 KB: the listing and transfer programs are larger than that once
 * encoded. This loader is small enough for argv; the program runs as a function body with
 * `require` and `input` (the rest of stdin, as text), argv as with `node -e`. Compiled by vm
 * as `-e` is, so an image whose NODE_OPTIONS forbid eval and new Function still runs it.
 */
export const FROM_STDIN =
  '"use strict";const d=require("fs").readFileSync(0),n=d.indexOf(10),s=n+1+Number(d.toString("latin1",0,n));' +
  'require("vm").runInThisContext("(function(require,input){"+d.toString("utf8",n+1,s)+"\\n})",{filename:"openab-program"})(require,d.toString("utf8",s));';

/** What FROM_STDIN reads: the program, then its input. */
export function programOnStdin(program: string, input: string): string {
  return `${Buffer.byteLength(program)}\n${program}${input}`;
}

/** Where the dashboard keeps its own notes on the agent's volume, relative to the Codex home. */
export const MARKS_FILE = 'openab-dashboard/deliveries.jsonl';

/**
 * What counts as an image of generated_images, shared by the listing and the page a
 * transfer picks for itself, so both see the same files. Needs `fs` and `H` (the home);
 * defines G, base (null when there is no such directory), dirs, openImage, refusal and
 * scanImages(image(p, fstat, fd), stray(p, why)).
 *
 * A file is an image only when it is a regular file with one link whose first bytes are a
 * PNG, JPEG, WebP or GIF: a hard link (`ln ~/.codex/auth.json generated_images/s/x.png`)
 * or a text file named .png is not, whatever its name. Checked on the open descriptor, so
 * the file checked is the file read; the transfer checks again on its own descriptor,
 * since the file may be swapped between the listing and the transfer.
 */
const SCAN_IMAGES = String.raw`const G = H + "/generated_images";
let base = null;
try { const st = fs.lstatSync(G); base = st.isDirectory() ? fs.realpathSync(G) : null; } catch {}
const NAME = /^[A-Za-z0-9_-]{1,100}$/, FILE = /^[A-Za-z0-9_.-]{1,100}$/;
const IMG = /\.(png|jpe?g|webp|gif)$/i;
const dirs = (p) => { try { return fs.readdirSync(p, { withFileTypes: true }); } catch { return []; } };
// O_NONBLOCK: a FIFO swapped in under an image's name must not hang the open.
const openImage = (p) => fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | (fs.constants.O_NONBLOCK || 0));
function imageHead(b, n) {
  return (n >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a)
    || (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff)
    || (n >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP")
    || (n >= 6 && /^GIF8[79]a$/.test(b.toString("latin1", 0, 6)));
}
/** Why the open file is no image of generated_images ("not-a-file", "hard-link", "not-image-bytes"), or null. */
function refusal(fd, st) {
  if (!st.isFile()) return "not-a-file";
  if (st.nlink !== 1) return "hard-link";
  const b = Buffer.alloc(12);
  const n = fs.readSync(fd, b, 0, 12, 0);
  return imageHead(b, n) ? null : "not-image-bytes";
}
function scanImages(image, stray) {
  if (!base) return;
  for (const t of dirs(G)) {
    if (!t.isDirectory()) { stray(t.name, t.isSymbolicLink() ? "symlink" : "not-a-directory"); continue; }
    if (!NAME.test(t.name)) { stray(t.name, "bad-name"); continue; }
    for (const f of dirs(G + "/" + t.name)) {
      const p = t.name + "/" + f.name;
      if (f.isSymbolicLink()) { stray(p, "symlink"); continue; }
      if (!f.isFile()) { stray(p, "not-a-file"); continue; }
      if (!FILE.test(f.name) || f.name.startsWith(".")) { stray(p, "bad-name"); continue; }
      if (!IMG.test(f.name)) { stray(p, "not-an-image"); continue; }
      let fd;
      try { fd = openImage(G + "/" + p); } catch (e) { if (e.code === "ELOOP") stray(p, "symlink"); continue; }
      try {
        const st = fs.fstatSync(fd);
        const why = refusal(fd, st);
        if (why) stray(p, why); else image(p, st, fd);
      } catch {} finally { fs.closeSync(fd); }
    }
  }
}`;

/**
 * Lists generated images (lstat only; PNG/GIF/WebP/JPEG dimensions from the first bytes)
 * and streams each session rollout reduced to the records the dashboard reads. Rollouts
 * whose `path|size|mtime` are in its input (already known to the dashboard) are only named.
 * Run by FROM_STDIN; argv: home, nonce. Output: `@@nonce@@ <kind> <json>` lines, rollout
 * lines after theirs.
 */
export const INVENTORY_NODE = String.raw`"use strict";
const fs = require("fs");
const H = process.argv[1], N = process.argv[2];
// Lines are gathered and written 64 KB at a time: one write per line would be one
// WebSocket message per image on the way to the dashboard.
let pending = [], pendingBytes = 0;
const flushOut = () => { if (pendingBytes) process.stdout.write(pending.join("")); pending = []; pendingBytes = 0; };
const out = (s) => { pending.push(s); pendingBytes += s.length; if (pendingBytes >= 65536) flushOut(); };
const mark = (kind, meta) => out("@@" + N + "@@ " + kind + " " + JSON.stringify(meta) + "\n");
let known = new Set();
try { known = new Set(JSON.parse(input || "[]")); } catch {}
${SCAN_IMAGES}
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
scanImages(
  (p, st, fd) => { const d = dims(fd); mark("image", { p, s: st.size, m: Math.round(st.mtimeMs), w: d ? d[0] : null, h: d ? d[1] : null, i: st.ino }); },
  (p, why) => mark("stray", { p, why }),
);
const MAX_LINE = 1024 * 1024, BIG = 256 * 1024;
const SKIP = /"type":"(token_count|task_started|task_complete|turn_context|reasoning|agent_reasoning|world_state|token_usage_record)"/;
function reduce(line) {
  if (line.length <= BIG) return SKIP.test(line.slice(0, 400)) ? null : line;
  try {
    const r = JSON.parse(line);
    if (r && r.payload) { delete r.payload.result; delete r.payload.base_instructions; delete r.payload.encrypted_content; }
    const s = JSON.stringify(r);
    return s.length <= MAX_LINE ? s : null;
  } catch { return null; }
}
function sendRollout(full, rel, st) {
  mark("session", { p: rel, s: st.size, m: Math.round(st.mtimeMs) });
  let fd;
  try { fd = fs.openSync(full, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW); } catch { return; }
  const buf = Buffer.alloc(1024 * 1024);
  let rest = [], restLen = 0, drop = false, pos = 0;
  const flush = (b) => { if (drop) { drop = false; return; } const r = reduce(b.toString("utf8")); if (r) out(r + "\n"); };
  try {
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
  } catch {} finally { fs.closeSync(fd); }
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
  const fd = fs.openSync(H + "/" + ${JSON.stringify(MARKS_FILE)}, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try { const b = Buffer.alloc(4 * 1024 * 1024); const n = fs.readSync(fd, b, 0, b.length, 0); marks = b.subarray(0, n).toString("utf8"); } finally { fs.closeSync(fd); }
} catch {}
mark("marks", { bytes: Buffer.byteLength(marks) });
out(marks.endsWith("\n") || marks === "" ? marks : marks + "\n");
mark("end", {});
flushOut();
`;

/** The tar entry that names the files of a page the transfer picked itself (JSON [{p, s, m, i}]). */
export const PAGE_ENTRY = '.openab-page';

/**
 * Streams images as one tar (ustar). Its input is either JSON [{p, s, m, i}], the files wanted
 * with the size, mtime and inode the listing saw (m and i optional), or a page request {page: {offset, size, from, to, session,
 * maxBytes, maxFiles}, skip: ["p|s|m", ...]}: then the program picks the page itself, as
 * the dashboard picks it from a listing (same files, newest first, same filters), leaves
 * out those in skip (their thumbnails are cached) and those over the budget, and names its
 * choice first in an entry PAGE_ENTRY, so a page's bytes can flow while the listing runs.
 * Each file is opened without following symlinks, must resolve inside generated_images,
 * be an image as the listing sees one (checked again on the open file: one link, image
 * bytes), be the file the listing saw (size, mtime, inode) and stay under the limit;
 * otherwise an entry
 * `.openab-error/<name>` carries the reason instead of the bytes.
 * Run by FROM_STDIN; argv: home, max bytes per file.
 */
export const TRANSFER_NODE = String.raw`"use strict";
const fs = require("fs"), path = require("path");
const H = process.argv[1], MAX = Number(process.argv[2]) || 52428800;
const IMAGE_PATH = /^[A-Za-z0-9_-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
let request = [];
try { request = JSON.parse(input); } catch {}
${SCAN_IMAGES}
const REFUSED = {
  "not-a-file": "refused: not a regular file",
  "hard-link": "refused: the file has more than one link (a hard link may point anywhere on the volume)",
  "not-image-bytes": "refused: its first bytes are not a PNG, JPEG, WebP or GIF image",
};
let wanted = Array.isArray(request) ? request : [], page = null;
if (request && !Array.isArray(request) && request.page) {
  const q = request.page, skip = new Set(Array.isArray(request.skip) ? request.skip : []);
  const DAY = /^\d{4}-\d{2}-\d{2}$/, day = (m) => new Date(m).toISOString().slice(0, 10);
  const from = DAY.test(q.from) ? q.from : null, to = DAY.test(q.to) ? q.to : null;
  const session = typeof q.session === "string" && q.session ? q.session : null;
  const offset = Math.max(0, q.offset | 0), size = Math.max(0, q.size | 0);
  const maxBytes = Number(q.maxBytes) || 0, maxFiles = Number(q.maxFiles) || 0;
  const all = [];
  scanImages((p, st) => all.push({ p, s: st.size, m: Math.round(st.mtimeMs), i: st.ino }), () => {});
  let bytes = 0;
  page = [];
  all
    .filter((x) => (!from || day(x.m) >= from) && (!to || day(x.m) <= to) && (!session || x.p.slice(0, x.p.indexOf("/")) === session))
    .sort((a, b) => b.m - a.m || a.p.localeCompare(b.p))
    .slice(offset, offset + size)
    .forEach((x) => {
      if (skip.has(x.p + "|" + x.s + "|" + x.m) || x.s > MAX || bytes + x.s > maxBytes || page.length >= maxFiles) return;
      bytes += x.s;
      page.push(x);
    });
  wanted = page;
}
function octal(n, len) { return n.toString(8).padStart(len - 1, "0") + "\0"; }
function header(prefix, name, size, mtime) {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, "utf8");
  b.write("0000644\0", 100); b.write("0001750\0", 108); b.write("0001750\0", 116);
  b.write(octal(size, 12), 124); b.write(octal(Math.floor(mtime / 1000), 12), 136);
  b.write("        ", 148); b.write("0", 156); b.write("ustar\0", 257); b.write("00", 263);
  b.write(prefix, 345, 155, "utf8");
  let sum = 0; for (let i = 0; i < 512; i++) sum += b[i];
  b.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return b;
}
const drain = () => new Promise((r) => process.stdout.once("drain", r));
async function put(chunk) { if (!process.stdout.write(chunk)) await drain(); }
async function putError(p, why) {
  const text = Buffer.from(why, "utf8");
  const [t, f] = p.split("/");
  await put(header(".openab-error/" + (t || "_").slice(0, 100), (f || "_").slice(0, 100), text.length, Date.now()));
  await put(text); await put(Buffer.alloc((512 - (text.length % 512)) % 512));
}
(async () => {
  if (page) {
    const text = Buffer.from(JSON.stringify(page), "utf8");
    await put(header("", ${JSON.stringify(PAGE_ENTRY)}, text.length, Date.now()));
    await put(text); await put(Buffer.alloc((512 - (text.length % 512)) % 512));
  }
  for (const w of wanted) {
    const p = w && typeof w.p === "string" ? w.p : "";
    if (!IMAGE_PATH.test(p) || p.split("/")[1].startsWith(".") || p.includes("..")) { await putError(p || "_/_", "refused: not a valid image name"); continue; }
    if (!base) { await putError(p, "missing: there is no generated_images directory"); continue; }
    const full = G + "/" + p;
    let fd;
    try { fd = openImage(full); }
    catch (e) { await putError(p, e.code === "ELOOP" ? "refused: the file is a symlink" : e.code === "ENOENT" ? "missing: the file is gone" : "unreadable: " + e.code); continue; }
    try {
      let real; try { real = fs.realpathSync(full); } catch { real = ""; }
      if (real !== path.join(base, p)) { await putError(p, "refused: the path leaves generated_images"); continue; }
      const st = fs.fstatSync(fd);
      const why = refusal(fd, st);
      if (why) { await putError(p, REFUSED[why]); continue; }
      if (st.size > MAX) { await putError(p, "too-large: " + st.size + " bytes, over the limit of " + MAX); continue; }
      if (typeof w.s === "number" && w.s !== st.size) { await putError(p, "changed: " + st.size + " bytes now, " + w.s + " when listed"); continue; }
      if ((typeof w.i === "number" && w.i !== st.ino) || (typeof w.m === "number" && w.m !== Math.round(st.mtimeMs))) { await putError(p, "changed: not the file the listing saw (replaced or rewritten since)"); continue; }
      const [t, f] = p.split("/");
      await put(header(t, f, st.size, st.mtimeMs));
      let pos = 0;
      while (pos < st.size) {
        // A fresh buffer per read, handed to stdout as it is: no second copy of the file.
        const buf = Buffer.allocUnsafeSlow(Math.min(1024 * 1024, st.size - pos));
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) break;
        await put(n === buf.length ? buf : buf.subarray(0, n));
        pos += n;
      }
      // A file cut short while we read it: pad so the archive stays readable; the dashboard
      // sees the byte count disagree with the listing and refuses the entry.
      if (pos < st.size) await put(Buffer.alloc(st.size - pos));
      await put(Buffer.alloc((512 - (st.size % 512)) % 512));
    } finally { fs.closeSync(fd); }
  }
  await put(Buffer.alloc(1024));
})().catch((e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });
`;

/**
 * Appends one JSON line to the dashboard's marks file on the agent's volume, atomically
 * (whole file rewritten to a temp file in the same directory, then renamed), and with a
 * claim for a resend: `claim <key>` creates `<key>.claim` exclusively unless the key is
 * already marked; `release <key>` removes it. argv: home, command, key; stdin: the line.
 */
export const MARKS_NODE = String.raw`"use strict";
const fs = require("fs"), path = require("path");
const H = process.argv[1], CMD = process.argv[2], KEY = process.argv[3] || "";
if (!/^[a-f0-9]{16,64}$/.test(KEY)) { process.stdout.write(JSON.stringify({ error: "bad key" })); process.exit(2); }
const F = path.join(H, ${JSON.stringify(MARKS_FILE)}), D = path.dirname(F);
fs.mkdirSync(D, { recursive: true, mode: 0o700 });
const read = () => { try { return fs.readFileSync(F, "utf8"); } catch { return ""; } };
const marked = () => read().split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((m) => m && m.key === KEY);
const claim = path.join(D, KEY + ".claim");
if (CMD === "claim") {
  const m = marked();
  if (m) { process.stdout.write(JSON.stringify({ marked: m })); process.exit(0); }
  try { const st = fs.statSync(claim); if (Date.now() - st.mtimeMs > 120000) fs.unlinkSync(claim); } catch {}
  try { fs.writeFileSync(claim, String(Date.now()), { flag: "wx" }); process.stdout.write(JSON.stringify({ claimed: true })); }
  catch { process.stdout.write(JSON.stringify({ busy: true })); }
} else if (CMD === "mark") {
  const line = fs.readFileSync(0, "utf8").trim();
  JSON.parse(line);
  const before = read();
  const tmp = F + "." + process.pid + ".tmp";
  fs.writeFileSync(tmp, (before && !before.endsWith("\n") ? before + "\n" : before) + line + "\n", { mode: 0o600 });
  fs.renameSync(tmp, F);
  try { fs.unlinkSync(claim); } catch {}
  process.stdout.write(JSON.stringify({ marked: true }));
} else if (CMD === "release") {
  try { fs.unlinkSync(claim); } catch {}
  process.stdout.write(JSON.stringify({ released: true }));
}
`;
