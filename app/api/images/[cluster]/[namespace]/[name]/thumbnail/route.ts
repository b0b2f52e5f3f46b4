import { defineRoute } from '@/lib/auth/guard';
import { serveImage } from '@/lib/images/serve';
import { decodeSegment } from '@/lib/url-params';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ name: 'images.thumbnail', role: 'viewer' }, async (request, context) => {
  const p = await context.params;
  const [clusterId, namespace, name] = [p.cluster, p.namespace, p.name].map((v) => decodeSegment(String(v)));
  return serveImage({ clusterId, namespace, name }, 'thumbnail', new URL(request.url));
});
