import { defineRoute, UserFacingError } from '@/lib/auth/guard';
import { agentRefSchema } from '@/lib/actions/agent-ref';
import { agentRolloutStatus } from '@/lib/actions/restart';
import { decodeSegment } from '@/lib/url-params';

export const dynamic = 'force-dynamic';

/** Where an agent's rollout stands, read from the Deployment (the restart progress polls it). */
export const GET = defineRoute({ name: 'agent-rollout', role: 'viewer' }, async (_request, context) => {
  const raw = (await context.params) as Record<string, string>;
  const ref = agentRefSchema.safeParse({ clusterId: decodeSegment(raw.cluster), namespace: decodeSegment(raw.namespace), name: decodeSegment(raw.name) });
  if (!ref.success) return Response.json({ error: 'That is not an agent address.' }, { status: 400 });
  try {
    return Response.json(await agentRolloutStatus(ref.data), { headers: { 'Cache-Control': 'no-store' } });
  } catch (err) {
    if (err instanceof UserFacingError) return Response.json({ error: err.message }, { status: /no Codex agent|there is no /i.test(err.message) ? 404 : 502 });
    throw err;
  }
});
