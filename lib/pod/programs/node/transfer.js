// Streams images as one tar (ustar); see transferImages in lib/images/transfer.ts for the
// request it reads as input. Each file is opened without following symlinks, must resolve
// inside its folder (generated_images, or the stable copies' folder), be an image as the listing sees one (checked again on the open
// file: one link, image bytes), be the file the listing saw (size, mtime, inode) and stay
// under the limit; otherwise an entry `.openab-error/<name>` carries the reason instead of the
// bytes. A page the program picks itself is named first, in an entry `.openab-page`.
// argv: home, max bytes per file, the source ("stable" for the stable copies, else generated_images).
"use strict";
const fs = require("fs"), path = require("path");
const H = process.argv[1], MAX = Number(process.argv[2]) || 52428800, SOURCE = process.argv[3] || "generated";
const IMAGE_PATH = /^[A-Za-z0-9_-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
let request = [];
try { request = JSON.parse(input); } catch {}
const { imageFolder, imageScanner } = require("./_scan-images.js");
const { G, base, openImage, refusal, scanImages } = imageScanner(imageFolder(H, SOURCE));
const FOLDER = path.basename(G);
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
    await put(header("", ".openab-page", text.length, Date.now()));
    await put(text); await put(Buffer.alloc((512 - (text.length % 512)) % 512));
  }
  for (const w of wanted) {
    const p = w && typeof w.p === "string" ? w.p : "";
    if (!IMAGE_PATH.test(p) || p.split("/")[1].startsWith(".") || p.includes("..")) { await putError(p || "_/_", "refused: not a valid image name"); continue; }
    if (!base) { await putError(p, "missing: there is no " + FOLDER + " directory"); continue; }
    const full = G + "/" + p;
    let fd;
    try { fd = openImage(full); }
    catch (e) { await putError(p, e.code === "ELOOP" ? "refused: the file is a symlink" : e.code === "ENOENT" ? "missing: the file is gone" : "unreadable: " + e.code); continue; }
    try {
      let real; try { real = fs.realpathSync(full); } catch { real = ""; }
      if (real !== path.join(base, p)) { await putError(p, "refused: the path leaves " + FOLDER); continue; }
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
