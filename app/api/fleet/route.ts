import { z } from 'zod';
import { defineRoute } from '@/lib/auth/guard';
import { fleetWhenChanged, overviewFleet, type OverviewFleet } from '@/lib/fleet/fleet';
import { SHOWN_LIMIT } from '@/components/fleet/overview-params';

export const dynamic = 'force-dynamic';

/**
 * `?shown=<cluster/namespace/name>` once per agent on the person's screen (the overview's page in
 * view). At most SHOWN_LIMIT: the address must stay well under the server's 16 KB header limit.
 */
const Shown = z.array(z.string().min(1).max(400)).max(SHOWN_LIMIT);
/**
 * `?after=<token>`: the token of the fleet the page shows. The answer then waits (at most
 * FLEET_WAIT_MS) until what is on screen changed, so a change shows as soon as it is found.
 */
const Token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const GET = defineRoute({ name: 'fleet', role: 'viewer' }, async (request) => {
  const params = new URL(request.url).searchParams;
  // Without the parameter (another client, a script) every agent counts as looked at, as before.
  const shown = params.has('shown') ? Shown.safeParse(params.getAll('shown')) : null;
  if (shown && !shown.success)
    return Response.json({ error: `shown must name at most ${SHOWN_LIMIT} agents, each as cluster/namespace/name.` }, { status: 400 });
  const after = params.get('after');
  if (after !== null && !Token.safeParse(after).success)
    return Response.json({ error: 'after must be a token this route gave.' }, { status: 400 });
  const { fleet, token } = await fleetWhenChanged({ lookedAt: shown ? new Set(shown.data) : 'all' }, after, request.signal);
  return Response.json({ ...overviewFleet(fleet), token } satisfies OverviewFleet, { headers: { 'Cache-Control': 'no-store' } });
});
