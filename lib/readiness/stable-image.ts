import 'server-only';
// Copies a generated image to a fixed path in the agent's home, under a name the user gives,
// as OpenAB's docs advise for people who need a stable path (generated_images/ is keyed by
// session and call ids). The target is `$HOME/images/<name>.<ext>`; an existing file is
// replaced only when the user confirmed exactly that file (compare-and-swap on its hash).
import { UserFacingError } from '../errors';
import { checkImageName } from '../images/paths';
import { findAgentPod, runInAgentPod } from '../operations/target';
import { record, type Actor } from '../operations/activity';
import { agentLabel, type AgentRef } from '../operations/agent-ref';
import { lastHead } from '../pod/frames';
import { podErrorCode, podErrorWords } from '../pod/errors';

export const STABLE_DIR = 'images';
export const STABLE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkStableName(raw: unknown): { ok: true; name: string } | { ok: false; error: string } {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) return { ok: false, error: 'Give the copy a name.' };
  if (/\.(png|jpe?g|webp|gif)$/i.test(name)) return { ok: false, error: 'Give the name without an extension: the image keeps its own.' };
  if (!STABLE_NAME_PATTERN.test(name))
    return { ok: false, error: 'Use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.' };
  return { ok: true, name };
}

export type StableCopyResult =
  { status: 'copied'; path: string; message: string } | { status: 'exists'; path: string; size: number; sha: string; message: string };

export async function copyImageToStablePath(
  ref: AgentRef,
  req: { image: string; name: string; replaceSha: string | null },
  actor: Actor,
): Promise<StableCopyResult> {
  const image = checkImageName(req.image);
  if (!image.ok) throw new UserFacingError(image.error);
  const name = checkStableName(req.name);
  if (!name.ok) throw new UserFacingError(name.error);
  const ext = /\.([A-Za-z0-9]+)$/.exec(image.file)?.[1]?.toLowerCase() ?? 'png';
  const fileName = `${name.name}.${ext}`;
  const target = await findAgentPod(ref);
  const out = await runInAgentPod(target, 'stable-copy', [image.name, fileName, req.replaceSha ?? 'new'], {
    timeoutMs: 60_000,
    maxStdoutBytes: 64 * 1024,
  });
  const answer = lastHead(out.frames);
  const [kind, ...rest] = answer.split(' ');
  if (kind === 'OK' || kind === 'SAME') {
    const path = rest.join(' ');
    if (kind === 'OK')
      await record(target.cluster, actor, ref, {
        action: 'copy-image-stable',
        before: image.name,
        after: path,
        result: 'success',
        detail: req.replaceSha ? 'replaced an existing file' : undefined,
      });
    return {
      status: 'copied',
      path,
      message: kind === 'SAME' ? `${path} already holds this image.` : `Copied to ${path} in ${agentLabel(ref)}.`,
    };
  }
  if (kind === 'EXISTS') {
    const [sha, size, ...p] = rest;
    const path = p.join(' ');
    return {
      status: 'exists',
      path,
      sha,
      size: Number(size),
      message: `${path} already exists (${size} bytes, another image). Replace it?`,
    };
  }
  const words = podErrorWords(podErrorCode(answer), {
    what: `The image or its copy ~/${STABLE_DIR}/${fileName}`,
    where: `The folder ~/${STABLE_DIR} in the agent's home`,
  });
  throw new UserFacingError(words ?? `Copying failed in pod ${target.pod.name} (exit ${out.exitCode}).`);
}
