import { defineRoute } from '@/lib/auth/guard';
import { getFleet, overviewFleet } from '@/lib/fleet/fleet';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ name: 'fleet', role: 'viewer' }, async () => {
  return Response.json(overviewFleet(await getFleet()), { headers: { 'Cache-Control': 'no-store' } });
});
