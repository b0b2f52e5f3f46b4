import { createHash } from 'node:crypto';
import { cookies } from 'next/headers';
import { z } from 'zod';
import { requirePageUser } from '@/lib/auth/guard';
import { getFleet } from '@/lib/fleet/fleet';
import { getSettings } from '@/lib/settings';
import { FleetView } from '@/components/agents/fleet-view';
import { VIEWS } from '@/components/fleet/overview-params';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const user = await requirePageUser('viewer', '/');
  // Each person's choice of cards or table has its own cookie, so people sharing a browser keep
  // theirs; the name is a hash, so the cookie does not carry who they are.
  const viewCookie = `fleet-view-${createHash('sha256').update(`${user.provider}:${user.id}`).digest('hex').slice(0, 16)}`;
  const saved = z.enum(VIEWS).safeParse((await cookies()).get(viewCookie)?.value);
  const fleet = await getFleet();
  return <FleetView initial={fleet} refreshMs={getSettings().refreshMs} savedView={saved.success ? saved.data : 'cards'} viewCookie={viewCookie} />;
}
