/**
 * Names of generated images as the browser may send them: `<thread>/<file>` relative to
 * Codex's `generated_images/`. Anything else (`..`, absolute, encoded, unicode look-alikes,
 * deeper paths) is refused here, before any pod is asked; the pod checks again when it
 * opens the file (no symlink followed, regular files only).
 */

export const IMAGE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

/** Files over this size are refused before they are read (Codex PNGs are a few MB). */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

export type NameCheck = { ok: true; name: string; thread: string; file: string } | { ok: false; error: string };

export function checkImageName(raw: unknown): NameCheck {
  if (typeof raw !== 'string' || raw.length === 0) return { ok: false, error: 'No image name was given.' };
  if (raw.length > 201) return { ok: false, error: 'The image name is too long.' };
  if (raw.startsWith('/')) return { ok: false, error: 'Absolute paths are not allowed: give a name like <session>/<file>.png.' };
  if (raw.includes('%')) return { ok: false, error: 'Encoded characters are not allowed in image names.' };
  if (!IMAGE_NAME_PATTERN.test(raw))
    return { ok: false, error: 'The image name must be <session>/<file> using letters, digits, "_", "-" and "." only.' };
  const [thread, file] = raw.split('/');
  if (file.startsWith('.') || file.includes('..')) return { ok: false, error: 'Hidden names and ".." are not allowed in image names.' };
  if (!imageContentType(file)) return { ok: false, error: 'Only PNG, JPEG, WebP and GIF images are served.' };
  return { ok: true, name: raw, thread, file };
}

/** The content type for an image file name, or null when it is not an image we serve. */
export function imageContentType(file: string): string | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? null;
}

/** A Discord id: a snowflake of 17 to 20 digits. */
export const SNOWFLAKE_PATTERN = /^[0-9]{17,20}$/;
