import { defineRoute } from '@/lib/auth/guard';
import { fleetReadiness } from '@/lib/readiness/service';

export const dynamic = 'force-dynamic';

/**
 * The overview's readiness column: the checks the probe does not cover, for every agent.
 * Pod facts come from a per-pod cache (an exec at most every few minutes per pod) and Discord
 * answers from a one-minute cache, so polling this adds no exec per refresh.
 */
export const GET = defineRoute({ name: 'readiness', role: 'viewer' }, async () => {
  const readiness = await fleetReadiness();
  const agents = Object.fromEntries(Object.entries(readiness.agents).map(([key, r]) => [key, { items: r.items }]));
  return Response.json({ agents, generatedAt: readiness.generatedAt }, { headers: { 'Cache-Control': 'no-store' } });
});
