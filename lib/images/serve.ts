import 'server-only';
import { Readable } from 'node:stream';
import { ClusterError } from '../k8s/errors';
import type { AgentRef } from './agent-pod';
import { findImage } from './gallery';
import { cachedOriginal, cachedThumbnail, imageCache, ImageUnavailableError, openOriginal, thumbnail } from './gallery-service';
import type { ImageEntry } from './inventory-output';
import { requireImageAccess } from './inventory';
import { checkImageName, imageContentType } from './paths';

/** Everything the image routes answer, including refusals, as a Response. */
type Kind = 'thumbnail' | 'file';

const PRIVATE = 'private, max-age=86400, immutable';

function problem(status: number, error: string): Response {
  return Response.json({ error }, { status, headers: { 'Cache-Control': 'private, no-store' } });
}

/** `v=<size>-<mtimeMs>` from the gallery's URL: lets a cached copy be served with no pod call. */
function versionFrom(v: string | null, name: string): ImageEntry | null {
  const m = /^(\d{1,12})-(\d{1,15})$/.exec(v ?? '');
  if (!m) return null;
  const [session, file] = name.split('/');
  return { name, session, file, size: Number(m[1]), mtimeMs: Number(m[2]), width: null, height: null };
}

function body(stream: Readable): ReadableStream {
  return Readable.toWeb(stream) as unknown as ReadableStream;
}

export async function serveImage(ref: AgentRef, kind: Kind, url: URL): Promise<Response> {
  const check = checkImageName(url.searchParams.get('path'));
  if (!check.ok) return problem(400, check.error);
  const type = imageContentType(check.file)!;
  const download = url.searchParams.get('download') === '1';
  const versioned = versionFrom(url.searchParams.get('v'), check.name);
  try {
    // Thumbnails and originals are cached for everyone; in impersonation mode, check first.
    await requireImageAccess(ref);
    if (kind === 'thumbnail') {
      let served = versioned ? await cachedThumbnail(ref, versioned) : null;
      if (!served) {
        const found = await findImage(ref, check.name);
        if (!found) return problem(404, 'There is no such image on this agent (it may have been deleted).');
        served = await thumbnail(ref, found.entry);
      }
      return new Response(body(imageCache().read(served.path)), {
        headers: { 'Content-Type': 'image/webp', 'Content-Length': String(served.size), 'Cache-Control': PRIVATE, 'X-Image-Placeholder': served.placeholder ? '1' : '0', 'X-Content-Type-Options': 'nosniff' },
      });
    }
    let original = versioned ? await cachedOriginal(ref, versioned) : null;
    if (!original) {
      const found = await findImage(ref, check.name);
      if (!found) return problem(404, 'There is no such image on this agent (it may have been deleted).');
      original = await openOriginal(ref, found.entry);
    }
    const headers: Record<string, string> = { 'Content-Type': type, 'Content-Length': String(original.size), 'Cache-Control': PRIVATE, 'X-Content-Type-Options': 'nosniff' };
    headers['Content-Disposition'] = `${download ? 'attachment' : 'inline'}; filename="${check.file}"`;
    return new Response(body(original.stream), { headers });
  } catch (err) {
    if (err instanceof ImageUnavailableError) return problem(/too-large/.test(err.message) ? 413 : /refused/.test(err.message) ? 403 : 404, `The image cannot be served: ${err.message}`);
    if (err instanceof ClusterError) return problem(err.kind === 'not-found' ? 404 : err.kind === 'forbidden' ? 403 : 502, err.message);
    throw err;
  }
}
