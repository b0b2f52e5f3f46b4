import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { requirePageUser } from '@/lib/auth/guard';
import { locateAgent } from '@/lib/k8s/locator';
import { agentPath } from '@/lib/url-params';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';
import type { AgentPanelProps } from '@/components/agents/panel-props';
import {
  AgentAttention,
  AgentProblem,
  ApprovalKeys,
  CodexSummary,
  EventsSection,
  FeaturesSection,
  LogSection,
  PodsSection,
} from '@/components/agents/agent-sections';
import { AgentActionsPanel } from '@/components/actions/agent-actions-panel';
import { AgentHistory } from '@/components/actions/agent-history';
import { DeviceLoginPanel } from '@/components/login/device-login-panel';
import { AgentImagesPanel } from '@/components/images/agent-images-panel';
import { ReadinessPanel } from '@/components/readiness/readiness-panel';
import { Panel } from '@/components/ui/panel';
import { Section } from '@/components/ui/section';
import { Tabs } from '@/components/ui/tabs';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string };

/** The page's sections, in order; `?tab=<id>` (or `#<id>`) opens one. */
const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'configuration', label: 'Configuration' },
  { id: 'login', label: 'Login' },
  { id: 'images', label: 'Images' },
  { id: 'activity', label: 'Activity' },
] as const;

/**
 * One agent. Only its Deployment is awaited (a missing agent is a 404); the header and the
 * actions show at once, and every other panel streams in on its own as its reads answer.
 */
export default async function AgentPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const found = await agentRefFromParams(params);
  if (!found.ok) {
    await requirePageUser('viewer', '/');
    notFound();
  }
  const ref = found.ref;
  const { clusterId, namespace, name } = ref;
  const user = await requirePageUser('viewer', agentPath(ref));
  // A missing agent is a 404 from layout.tsx; any other failure to read it shows error.tsx.
  const located = await locateAgent(ref);
  const tab = (await searchParams).tab;
  const panel: AgentPanelProps = { clusterId, namespace, name, user: { name: user.name, role: user.role } };
  const content: Record<(typeof TABS)[number]['id'], React.ReactNode> = {
    overview: (
      <>
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <Panel title="Codex" lines={8}>
            <CodexSummary {...panel} />
          </Panel>
          <PodsSection {...panel} />
        </div>
      </>
    ),
    configuration: (
      <>
        <Panel title="Approval keys, as Codex reads them">
          <ApprovalKeys {...panel} />
        </Panel>
        <Panel title="Features" lines={6}>
          <FeaturesSection {...panel} />
        </Panel>
      </>
    ),
    login: (
      <Panel title="Codex login">
        <DeviceLoginPanel {...panel} />
      </Panel>
    ),
    images: (
      <>
        <Panel title="Delivery readiness" lines={5}>
          <ReadinessPanel {...panel} />
        </Panel>
        <Panel title="Generated images">
          <AgentImagesPanel {...panel} />
        </Panel>
      </>
    ),
    activity: (
      <>
        <Panel title="History">
          <AgentHistory {...panel} />
        </Panel>
        <Panel title="Recent events">
          <EventsSection {...panel} />
        </Panel>
        <Panel title="Log">
          <LogSection {...panel} />
        </Panel>
      </>
    ),
  };

  return (
    <div className="min-w-0 space-y-6">
      <div>
        <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Fleet
        </Link>
        <div className="mt-1 flex flex-wrap items-center gap-2">
          <h1 className="break-all text-2xl font-semibold tracking-tight">{located.workload.name}</h1>
          <Suspense fallback={null}>
            <AgentAttention {...panel} />
          </Suspense>
        </div>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Deployment in namespace <strong>{namespace}</strong> · cluster {located.cluster.label}
        </p>
      </div>
      <Suspense fallback={null}>
        <AgentProblem {...panel} />
      </Suspense>
      <Section title="Actions">
        <Panel title="Actions" lines={4} bare>
          <AgentActionsPanel {...panel} />
        </Panel>
      </Section>
      <Tabs
        label="Agent sections"
        initial={typeof tab === 'string' ? tab : 'overview'}
        tabs={TABS.map((t) => ({ ...t, content: content[t.id] }))}
      />
    </div>
  );
}
