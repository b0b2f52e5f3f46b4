// Thumbnails are made on the server from the original bytes: WebP, bounded on both sides.
// A file sharp cannot decode (cut off mid-write, not really an image) gets a placeholder,
// never an error page or a crash.
import sharp from 'sharp';

export interface Thumbnail {
  data: Buffer;
  placeholder: boolean;
}

// libvips' operation cache would keep decoded originals around: thumbnails are made once
// and then served from the disk cache, so memory is better spent elsewhere.
sharp.cache(false);

let placeholder: Promise<Buffer> | null = null;

function placeholderImage(): Promise<Buffer> {
  placeholder ??= sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 161, g: 161, b: 170 } } })
    .composite([
      {
        input: Buffer.from(
          '<svg width="64" height="64"><text x="32" y="42" font-size="28" text-anchor="middle" fill="#fff">?</text></svg>',
        ),
        top: 0,
        left: 0,
      },
    ])
    .webp({ quality: 60 })
    .toBuffer();
  return placeholder;
}

export async function makeThumbnail(original: Buffer, size: number): Promise<Thumbnail> {
  try {
    // The original's dimensions come from the pod's listing, so no metadata() pass here.
    // Large shrinks are done by libvips' box shrink first, so a linear kernel for the rest
    // looks the same as lanczos at a third of the cost; WebP's effort 0 encodes a thumbnail
    // about a fifth faster than effort 1 for a few per cent more bytes.
    const data = await sharp(original, { failOn: 'truncated', limitInputPixels: 64_000_000 })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
      .webp({ quality: 72, effort: 0 })
      .toBuffer();
    return { data, placeholder: false };
  } catch {
    return { data: await placeholderImage(), placeholder: true };
  }
}

/** Whether the bytes really are the image type the name says (a renamed text file is not). */
export function sniffImageType(head: Buffer): string | null {
  if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (head.length >= 6 && head.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
  return null;
}
