// The stable folder as a second source of the gallery: where the delivery skill keeps a copy
// of each image it sends (`$HOME/generated-images/<thread>/<file>`, see lib/skills). Both
// programs are built from the generated_images ones so the two sources obey the same rules
// (regular files with one link and image bytes, opened without following links).
import { STABLE_IMAGES_DIR } from '../skills/delivery-skill';
import { TRANSFER_NODE } from './pod-scripts';

const STABLE_ROOT = `(process.env.HOME || "/home/node") + "/${STABLE_IMAGES_DIR}"`;

/**
 * Appended to INVENTORY_NODE (it runs in that program's scope, after its `end` mark): lists the
 * stable folder's images as `stable` marks, laid out and named like generated_images.
 */
export const LIST_STABLE_IMAGES_NODE = String.raw`
{
  const SG = ${STABLE_ROOT};
  let sbase = null;
  try { const st = fs.lstatSync(SG); sbase = st.isDirectory() ? fs.realpathSync(SG) : null; } catch {}
  if (sbase) for (const t of dirs(SG)) {
    if (!t.isDirectory() || !NAME.test(t.name)) continue;
    for (const f of dirs(SG + "/" + t.name)) {
      const p = t.name + "/" + f.name;
      if (!f.isFile() || !FILE.test(f.name) || f.name.startsWith(".") || !IMG.test(f.name)) continue;
      let fd;
      try { fd = openImage(SG + "/" + p); } catch { continue; }
      try {
        const st = fs.fstatSync(fd);
        if (!refusal(fd, st)) { const d = dims(fd); mark("stable", { p, s: st.size, m: Math.round(st.mtimeMs), w: d ? d[0] : null, h: d ? d[1] : null, i: st.ino }); }
      } catch {} finally { fs.closeSync(fd); }
    }
  }
  flushOut();
}
`;

const GENERATED_ROOT = 'const G = H + "/generated_images";';
if (!TRANSFER_NODE.includes(GENERATED_ROOT)) throw new Error('The transfer program no longer names its folder as the stable copy expects.');

/** TRANSFER_NODE over the stable folder: the same checks, another root. */
export const TRANSFER_STABLE_NODE = TRANSFER_NODE.replace(GENERATED_ROOT, `const G = ${STABLE_ROOT};`);
