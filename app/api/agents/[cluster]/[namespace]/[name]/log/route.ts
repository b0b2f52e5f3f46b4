import { z } from 'zod';
import { defineRoute, UserFacingError } from '@/lib/auth/guard';
import { getCluster } from '@/lib/k8s/clusters';
import { getDeployment, listDeploymentPods } from '@/lib/k8s/agents';
import { followPodLog, readPodLog } from '@/lib/k8s/logs';
import { ClusterError } from '@/lib/k8s/errors';
import { getSettings } from '@/lib/settings';
import { decodeSegment } from '@/lib/url-params';

export const dynamic = 'force-dynamic';

const k8sName = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'not a Kubernetes name');
const paramsSchema = z.object({ cluster: z.string().min(1).max(253), namespace: k8sName, name: k8sName });
const querySchema = z.object({
  pod: k8sName,
  tail: z.coerce.number().int().min(1).max(5000).default(200),
  previous: z.enum(['0', '1']).default('0'),
  follow: z.enum(['0', '1']).default('0'),
});

export const GET = defineRoute({ name: 'agent-log', role: 'support' }, async (request, context) => {
  const raw = (await context.params) as Record<string, string>;
  const params = paramsSchema.safeParse({ cluster: decodeSegment(raw.cluster), namespace: decodeSegment(raw.namespace), name: decodeSegment(raw.name) });
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!params.success || !query.success) return Response.json({ error: 'The log request was not valid.' }, { status: 400 });
  const { cluster: clusterId, namespace, name } = params.data;
  const { pod, tail, previous, follow } = query.data;
  try {
    const cluster = getCluster(clusterId);
    // Only pods of this agent: the route must not become a reader of any pod's log.
    const pods = await listDeploymentPods(cluster, await getDeployment(cluster, namespace, name));
    if (!pods.some((p) => p.metadata?.name === pod)) throw new UserFacingError(`Pod ${pod} does not belong to ${namespace}/${name} (any more). Reload the page.`);
    const container = getSettings().containerName;
    if (follow === '0') {
      const text = await readPodLog(cluster, { namespace, pod, container, tailLines: tail, previous: previous === '1' });
      return new Response(text, { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
    }
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (event: string | null, data: unknown) => {
          try {
            controller.enqueue(encoder.encode(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`));
          } catch {
            /* the browser went away */
          }
        };
        followPodLog(cluster, { namespace, pod, container, tailLines: tail }, (text) => send(null, text), request.signal)
          .catch((err) => send('problem', err instanceof ClusterError ? err.message : 'The log stream failed.'))
          .finally(() => {
            try {
              controller.close();
            } catch {
              /* already closed */
            }
          });
      },
    });
    return new Response(stream, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' } });
  } catch (err) {
    if (err instanceof UserFacingError) return Response.json({ error: err.message }, { status: 404 });
    if (err instanceof ClusterError) return Response.json({ error: err.message }, { status: err.status && err.status < 500 ? err.status : 502 });
    throw err;
  }
});
