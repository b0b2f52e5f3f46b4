import { z } from 'zod';
import { defineRoute } from '@/lib/auth/guard';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';
import { locateAgent } from '@/lib/k8s/locator';
import { followPodLog, readPodLog } from '@/lib/k8s/logs';
import { ClusterError } from '@/lib/k8s/errors';

export const dynamic = 'force-dynamic';

const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'not a Kubernetes name');
const querySchema = z.object({
  pod: k8sName,
  tail: z.coerce.number().int().min(1).max(5000).default(200),
  previous: z.enum(['0', '1']).default('0'),
  follow: z.enum(['0', '1']).default('0'),
});

export const GET = defineRoute({ name: 'agent-log', role: 'support' }, async (request, context) => {
  const agent = await agentRefFromParams(context.params);
  if (!agent.ok) return Response.json({ error: agent.error }, { status: 400 });
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return Response.json({ error: 'The log request was not valid.' }, { status: 400 });
  const { namespace, name } = agent.ref;
  const { pod, tail, previous, follow } = query.data;
  try {
    // Only pods of this Codex agent, found as every route finds it: the route must not become
    // a reader of any pod's log.
    const { cluster, workload, container } = await locateAgent(agent.ref);
    if (!workload.pods.some((p) => p.name === pod))
      return Response.json({ error: `Pod ${pod} does not belong to ${namespace}/${name} (any more). Reload the page.` }, { status: 404 });
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
    return new Response(stream, {
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
    });
  } catch (err) {
    if (err instanceof ClusterError)
      return Response.json({ error: err.message }, { status: err.status && err.status < 500 ? err.status : 502 });
    throw err;
  }
});
