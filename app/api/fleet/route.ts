import { z } from 'zod';
import { defineRoute } from '@/lib/auth/guard';
import { getFleet, overviewFleet } from '@/lib/fleet/fleet';
import { SHOWN_LIMIT } from '@/components/fleet/overview-params';

export const dynamic = 'force-dynamic';

/**
 * `?shown=<cluster/namespace/name>` once per agent on the person's screen (the overview's page in
 * view). At most SHOWN_LIMIT: the address must stay well under the server's 16 KB header limit.
 */
const Shown = z.array(z.string().min(1).max(400)).max(SHOWN_LIMIT);

export const GET = defineRoute({ name: 'fleet', role: 'viewer' }, async (request) => {
  const params = new URL(request.url).searchParams;
  // Without the parameter (another client, a script) every agent counts as looked at, as before.
  const shown = params.has('shown') ? Shown.safeParse(params.getAll('shown')) : null;
  if (shown && !shown.success)
    return Response.json({ error: `shown must name at most ${SHOWN_LIMIT} agents, each as cluster/namespace/name.` }, { status: 400 });
  const fleet = await getFleet({ lookedAt: shown ? new Set(shown.data) : 'all' });
  return Response.json(overviewFleet(fleet), { headers: { 'Cache-Control': 'no-store' } });
});
