import 'server-only';
import { Readable } from 'node:stream';
import { ClusterError } from '../k8s/errors';
import type { AgentRef } from './agent-pod';
import { findImage, imageVersion } from './gallery';
import { imageCache, ImageUnavailableError, openOriginal, thumbnail } from './gallery-service';
import { requireImageAccess } from './inventory';
import { checkImageName, imageContentType } from './paths';

/** Everything the image routes answer, including refusals, as a Response. */
type Kind = 'thumbnail' | 'file';

/** A URL with a version names one file for good; one without may mean another file tomorrow. */
const cacheControl = (versioned: boolean) => (versioned ? 'private, max-age=86400, immutable' : 'private, no-cache');

function problem(status: number, error: string): Response {
  return Response.json({ error }, { status, headers: { 'Cache-Control': 'private, no-store' } });
}

function body(stream: Readable): ReadableStream {
  return Readable.toWeb(stream) as unknown as ReadableStream;
}

export async function serveImage(ref: AgentRef, kind: Kind, url: URL): Promise<Response> {
  const check = checkImageName(url.searchParams.get('path'));
  if (!check.ok) return problem(400, check.error);
  const type = imageContentType(check.file)!;
  const download = url.searchParams.get('download') === '1';
  const version = url.searchParams.get('v');
  if (version !== null && !/^\d{1,12}-\d{1,15}-\d{1,20}$/.test(version))
    return problem(400, 'The image version (v) must be <size>-<mtime>-<inode>, as the gallery gives it.');
  try {
    // Thumbnails and originals are cached for everyone; in impersonation mode, check first.
    await requireImageAccess(ref);
    // Only what the agent's listing shows (refreshed every IMAGE_LIST_CACHE_MS) is served,
    // cached copies included: a file that is gone, or is another file now, is not.
    const found = await findImage(ref, check.name);
    if (!found) return problem(404, 'There is no such image on this agent (it may have been deleted, or it is not an image).');
    if (version !== null && version !== imageVersion(found.entry))
      return problem(404, 'This image changed on the agent since the page was shown; reload the page.');
    const entry = found.entry;
    if (kind === 'thumbnail') {
      const served = await thumbnail(ref, entry);
      return new Response(body(imageCache().read(served.path)), {
        headers: {
          'Content-Type': 'image/webp',
          'Content-Length': String(served.size),
          'Cache-Control': cacheControl(version !== null),
          'X-Image-Placeholder': served.placeholder ? '1' : '0',
          'X-Content-Type-Options': 'nosniff',
        },
      });
    }
    const original = await openOriginal(ref, entry);
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Content-Length': String(original.size),
      'Cache-Control': cacheControl(version !== null),
      'X-Content-Type-Options': 'nosniff',
    };
    headers['Content-Disposition'] = `${download ? 'attachment' : 'inline'}; filename="${check.file}"`;
    return new Response(body(original.stream), { headers });
  } catch (err) {
    if (err instanceof ImageUnavailableError)
      return problem(
        /too-large/.test(err.message) ? 413 : /refused/.test(err.message) ? 403 : 404,
        `The image cannot be served: ${err.message}`,
      );
    if (err instanceof ClusterError) return problem(err.kind === 'not-found' ? 404 : err.kind === 'forbidden' ? 403 : 502, err.message);
    throw err;
  }
}
