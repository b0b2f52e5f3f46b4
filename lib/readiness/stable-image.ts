import 'server-only';
// Copies a generated image to a fixed path in the agent's home, under a name the user gives,
// as OpenAB's docs advise for people who need a stable path (generated_images/ is keyed by
// session and call ids). The target is `$HOME/images/<name>.<ext>`; an existing file is
// replaced only when the user confirmed exactly that file (compare-and-swap on its hash).
import { UserFacingError } from '../errors';
import { checkImageName } from '../images/paths';
import { execInAgentPod, findAgentPod } from '../operations/target';
import { record, type Actor } from '../operations/activity';
import { agentLabel, type AgentRef } from '../operations/agent-ref';
import { lastStatusLine } from '../operations/pod-scripts';

export const STABLE_DIR = 'images';
export const STABLE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkStableName(raw: unknown): { ok: true; name: string } | { ok: false; error: string } {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) return { ok: false, error: 'Give the copy a name.' };
  if (/\.(png|jpe?g|webp|gif)$/i.test(name)) return { ok: false, error: 'Give the name without an extension: the image keeps its own.' };
  if (!STABLE_NAME_PATTERN.test(name)) return { ok: false, error: 'Use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.' };
  return { ok: true, name };
}

/**
 * $1 = image name `<thread>/<file>` (checked), $2 = target file name (checked), $3 = the sha256
 * the existing target must have to be replaced, or "new" to refuse replacing.
 * Last line: `OK <path>`, `SAME <path>`, `EXISTS <sha256> <bytes> <path>` or `E <reason>`.
 */
export const STABLE_COPY_SCRIPT = `set -u
H="\${CODEX_HOME:-\${HOME:-/home/node}/.codex}"
G="$H/generated_images"; SRC="$G/$1"; DIR="\${HOME:-/home/node}/${STABLE_DIR}"; DST="$DIR/$2"
say() { printf '%s\\n' "$*"; }
digest() { if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -c1-64; else node -e 'const h=require("crypto").createHash("sha256");process.stdin.on("data",(d)=>h.update(d)).on("end",()=>console.log(h.digest("hex")))'; fi; }
for p in "$G" "$G/\${1%%/*}" "$SRC"; do [ -L "$p" ] && { say "E symlink"; exit 22; }; done
[ -f "$SRC" ] || { say "E nosource"; exit 23; }
mkdir -p "$DIR" 2>/dev/null || { say "E nodir"; exit 20; }
[ -L "$DIR" ] || [ -L "$DST" ] && { say "E symlink"; exit 22; }
if [ -e "$DST" ]; then
  [ -f "$DST" ] || { say "E notfile"; exit 24; }
  CUR=$(digest < "$DST")
  if [ "$CUR" = "$(digest < "$SRC")" ]; then say "SAME $DST"; exit 0; fi
  if [ "$3" != "$CUR" ]; then say "EXISTS $CUR $(wc -c < "$DST" | tr -d ' ') $DST"; exit 0; fi
fi
T="$DIR/.openab-copy.$$"
trap 'rm -f "$T"' EXIT
cp "$SRC" "$T" 2>/dev/null && chmod 644 "$T" && mv -f "$T" "$DST" 2>/dev/null || { say "E write"; exit 25; }
say "OK $DST"
`;

export type StableCopyResult =
  | { status: 'copied'; path: string; message: string }
  | { status: 'exists'; path: string; size: number; sha: string; message: string };

export async function copyImageToStablePath(ref: AgentRef, req: { image: string; name: string; replaceSha: string | null }, actor: Actor): Promise<StableCopyResult> {
  const image = checkImageName(req.image);
  if (!image.ok) throw new UserFacingError(image.error);
  const name = checkStableName(req.name);
  if (!name.ok) throw new UserFacingError(name.error);
  const ext = /\.([A-Za-z0-9]+)$/.exec(image.file)?.[1]?.toLowerCase() ?? 'png';
  const fileName = `${name.name}.${ext}`;
  const target = await findAgentPod(ref);
  const out = await execInAgentPod(target, {
    argv: ['sh', '-c', STABLE_COPY_SCRIPT, 'openab-stable-copy', image.name, fileName, req.replaceSha ?? 'new'],
    timeoutMs: 60_000,
    maxStdoutBytes: 64 * 1024,
  });
  const line = lastStatusLine(out.stdout.toString('utf8'));
  const [kind, ...rest] = line.split(' ');
  if (kind === 'OK' || kind === 'SAME') {
    const path = rest.join(' ');
    if (kind === 'OK') await record(target.cluster, actor, ref, { action: 'copy-image-stable', before: image.name, after: path, result: 'success', detail: req.replaceSha ? 'replaced an existing file' : undefined });
    return { status: 'copied', path, message: kind === 'SAME' ? `${path} already holds this image.` : `Copied to ${path} in ${agentLabel(ref)}.` };
  }
  if (kind === 'EXISTS') {
    const [sha, size, ...p] = rest;
    const path = p.join(' ');
    return { status: 'exists', path, sha, size: Number(size), message: `${path} already exists (${size} bytes, another image). Replace it?` };
  }
  const reason = kind === 'E' ? rest[0] : '';
  const messages: Record<string, string> = {
    symlink: 'The image or the target folder is a symbolic link; the dashboard does not copy through links.',
    nosource: 'The image is no longer on the agent. Reload the gallery.',
    nodir: `The folder ~/${STABLE_DIR} cannot be created in the agent's home (read-only volume?).`,
    notfile: `The target ~/${STABLE_DIR}/${fileName} is not a regular file; choose another name.`,
    write: "The copy could not be written (is the agent's volume full?); nothing was replaced.",
  };
  throw new UserFacingError(messages[reason] ?? `Copying failed in pod ${target.pod.name} (exit ${out.exitCode}).`);
}
