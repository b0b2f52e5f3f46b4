"use strict";
// What counts as an image of generated_images (or of the stable folder the delivery skill copies
// to), shared by the listing and the transfer, so both see the same files and both folders obey
// the same rules. Inlined into each program at build time (scripts/pod-programs.ts).
//
// A file is an image only when it is a regular file with one link whose first bytes are a
// PNG, JPEG, WebP or GIF: a hard link (`ln ~/.codex/auth.json generated_images/s/x.png`) or a
// text file named .png is not, whatever its name. Checked on the open descriptor, so the file
// checked is the file read; the transfer checks again on its own descriptor, since the file
// may be swapped between the listing and the transfer.
const fs = require("fs");

/**
 * The folders images are read from: Codex's generated_images, and the stable copies the
 * delivery skill keeps under the home (STABLE_IMAGES_DIR of lib/skills/delivery-skill.ts), laid
 * out alike (`<thread>/<file>`).
 * @param {string} H the Codex home
 * @param {string} source "stable" for the stable copies
 */
function imageFolder(H, source) {
  return source === "stable" ? (process.env.HOME || "/home/node") + "/generated-images" : H + "/generated_images";
}

/** @param {string} G the folder (imageFolder) */
function imageScanner(G) {
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
  }
  return { G, base, dirs, openImage, refusal, scanImages };
}

module.exports = { imageFolder, imageScanner };
