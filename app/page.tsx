import { requirePageUser } from '@/lib/auth/guard';
import { getFleet } from '@/lib/fleet/fleet';
import { getSettings } from '@/lib/settings';
import { FleetView } from '@/components/agents/fleet-view';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  await requirePageUser('viewer', '/');
  const fleet = await getFleet();
  return <FleetView initial={fleet} refreshMs={getSettings().refreshMs} />;
}
