import { defineRoute } from '@/lib/auth/guard';
import { agentRolloutStatus } from '@/lib/operations/restart';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';

export const dynamic = 'force-dynamic';

/** Where an agent's rollout stands, read from the Deployment (the restart progress polls it). */
export const GET = defineRoute({ name: 'agent-rollout', role: 'viewer' }, async (_request, context) => {
  const agent = await agentRefFromParams(context.params);
  if (!agent.ok) return Response.json({ error: agent.error }, { status: 400 });
  return Response.json(await agentRolloutStatus(agent.ref), { headers: { 'Cache-Control': 'no-store' } });
});
