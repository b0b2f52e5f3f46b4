import { createHash } from 'node:crypto';
import { Suspense } from 'react';
import { cookies } from 'next/headers';
import { z } from 'zod';
import { requirePageUser } from '@/lib/auth/guard';
import { refusedNotice } from '@/lib/auth/refused-page';
import { getFleet, overviewFleet } from '@/lib/fleet/fleet';
import { getSettings } from '@/lib/settings';
import { FleetView } from '@/components/agents/fleet-view';
import { VIEWS, type ViewKind } from '@/components/fleet/overview-params';
import { PanelSkeleton } from '@/components/ui/panel';
import { RefusedNotice } from '@/components/fleet/refused-notice';

export const dynamic = 'force-dynamic';

/** How long the overview waits for first probes before it shows the fleet without them. */
const FIRST_PROBES_WAIT_MS = 2_000;

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('viewer', '/');
  // Set by the guard when it sent this person back from a page their role may not see.
  const refused = refusedNotice((await searchParams).refused, user.role);
  // Each person's choice of cards or table has its own cookie, so people sharing a browser keep
  // theirs; the name is a hash, so the cookie does not carry who they are.
  const viewCookie = `fleet-view-${createHash('sha256').update(`${user.provider}:${user.id}`).digest('hex').slice(0, 16)}`;
  const saved = z.enum(VIEWS).safeParse((await cookies()).get(viewCookie)?.value);
  // The page's frame goes out at once; the fleet streams in behind it.
  return (
    <>
      {refused && <RefusedNotice text={refused} />}
      <Suspense fallback={<FleetLoading />}>
        <Fleet savedView={saved.success ? saved.data : 'cards'} viewCookie={viewCookie} />
      </Suspense>
    </>
  );
}

async function Fleet({ savedView, viewCookie }: { savedView: ViewKind; viewCookie: string }) {
  // Nobody has seen this page yet: its first refresh names the agents on screen, kept freshest from
  // then on. Pods never probed (a dashboard just started, a fleet just rolled out) are waited for a
  // moment only: on a big fleet the rest show as not checked yet and come with the page's refreshes.
  const fleet = overviewFleet(await getFleet({ lookedAt: 'none', waitForFirstProbes: FIRST_PROBES_WAIT_MS }));
  return <FleetView initial={fleet} refreshMs={getSettings().refreshMs} savedView={savedView} viewCookie={viewCookie} />;
}

function FleetLoading() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Codex fleet</h1>
      <PanelSkeleton label="the fleet" lines={8} bare />
    </div>
  );
}
