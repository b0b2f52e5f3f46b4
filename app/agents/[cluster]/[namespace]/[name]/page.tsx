import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/auth/guard';
import { roleAtLeast } from '@/lib/auth/roles';
import { getAgentDetail } from '@/lib/fleet/agent-detail';
import { ClusterError } from '@/lib/k8s/errors';
import { ApprovalBadge, Badge, LoginBadge, PodStatusBadge } from '@/components/agents/badges';
import { FeatureTable } from '@/components/agents/feature-table';
import { PodLog } from '@/components/agents/pod-log';
import { RelativeTime } from '@/components/ui/relative-time';
import { Section, KeyValues } from '@/components/ui/section';
import { agentPath } from '@/lib/url-params';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';
import { agentActionAccess } from '@/lib/operations/access';
import { getCluster } from '@/lib/k8s/clusters';
import type { AgentPanelProps } from '@/components/agents/panel-props';
import { AgentActionsPanel } from '@/components/actions/agent-actions-panel';
import { AgentHistory } from '@/components/actions/agent-history';
import { DeviceLoginPanel } from '@/components/login/device-login-panel';
import { AgentImagesPanel } from '@/components/images/agent-images-panel';
import { ReadinessPanel } from '@/components/readiness/readiness-panel';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string };

export default async function AgentPage({ params }: { params: Promise<Params> }) {
  const found = await agentRefFromParams(params);
  if (!found.ok) {
    await requirePageUser('viewer', '/');
    notFound();
  }
  const ref = found.ref;
  const { clusterId: cluster, namespace, name } = ref;
  const path = agentPath(ref);
  const user = await requirePageUser('viewer', path);
  let detail;
  try {
    detail = await getAgentDetail(ref);
  } catch (err) {
    // A missing agent, or a Deployment that is not one, is a 404 (not-found.tsx says why).
    if (err instanceof ClusterError && err.kind === 'not-found') notFound();
    const message = err instanceof ClusterError ? err.message : 'The agent could not be read.';
    return (
      <div className="space-y-3">
        <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">← Fleet</Link>
        <h1 className="text-2xl font-semibold">{namespace}/{name}</h1>
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-900 dark:bg-red-950 dark:text-red-200">{message}</p>
      </div>
    );
  }
  const { agent, pods, events } = detail;
  const p = agent.probe;
  const pod = agent.pod ?? agent.workload.pods[0] ?? null;
  const logAllowedByRole = roleAtLeast(user.role, 'support');
  const logReason = !logAllowedByRole ? 'Reading logs needs the Support role or higher.' : !detail.clusterAccess.readLogs.allowed ? detail.clusterAccess.readLogs.reason : null;
  const panel: AgentPanelProps = { clusterId: cluster, namespace, name, user: { name: user.name, role: user.role }, agent };
  // Per-feature switches: the role decides first (no cluster call for viewers), then the cluster.
  const featureAccess = (await agentActionAccess(getCluster(cluster), namespace, name, user.role)).editConfig;
  const restarted = pods.some((pd) => pd.containers.some((c) => c.name === detail.container && c.restartCount > 0));

  return (
    <div className="space-y-6">
      <div>
        <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">← Fleet</Link>
        <div className="mt-1 flex flex-wrap items-center gap-2">
          <h1 className="text-2xl font-semibold tracking-tight">{agent.workload.name}</h1>
          {agent.attention.map((r) => <Badge key={r} kind="bad">{r}</Badge>)}
        </div>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Deployment in namespace <strong>{namespace}</strong> · cluster {agent.clusterLabel}
        </p>
      </div>

      <AgentActionsPanel {...panel} />
      <DeviceLoginPanel {...panel} />

      {agent.problem && <p role="alert" data-testid="agent-problem" className="rounded-md bg-red-50 px-3 py-2 text-red-900 dark:bg-red-950 dark:text-red-200">{agent.problem}</p>}

      <div className="grid gap-6 lg:grid-cols-2">
        <Section title="Codex">
          <KeyValues
            items={[
              ['Login', <span key="l" data-testid="login-state"><LoginBadge login={p?.login} /></span>],
              ['Login detail', p?.login.kind === 'chatgpt' ? [p.login.plan && `plan ${p.login.plan}`, p.login.accountId && `account ${p.login.accountId}`, p.login.expiresAt && `valid until ${new Date(p.login.expiresAt).toUTCString()}`, p.login.lastRefresh && `last refresh ${p.login.lastRefresh}`].filter(Boolean).join(' · ') || '—' : p?.login.kind === 'unreadable' ? p.login.reason : '—'],
              ['Approval mode', <span key="a" data-testid="approval-mode"><ApprovalBadge mode={p?.approval.ok ? p.approval.mode : undefined} error={p && !p.approval.ok ? p.approval.error : undefined} guideMistake={p?.approval.ok ? p.approval.guideMistake : undefined} /></span>],
              ['Image generation', <span key="i" data-testid="image-generation">{p?.imageGeneration == null ? '—' : p.imageGeneration ? 'On' : 'Off'}</span>],
              ['Generated images', p ? `${p.images.count} (${formatBytes(p.images.bytes)})` : '—'],
              ['Codex version', p?.codexVersion ?? '—'],
              ['Codex home', <code key="h" className="text-xs">{p?.codexHome || '—'}</code>],
              ['Last activity', <RelativeTime key="t" iso={p?.lastActivity} suffix=" ago" />],
            ]}
          />
          {p?.codexError && (
            <div className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
              <p className="font-medium">Codex cannot start with this configuration:</p>
              <pre className="mt-1 whitespace-pre-wrap font-mono text-xs">{p.codexError}</pre>
            </div>
          )}
        </Section>

        <Section title="Approval keys, as Codex reads them">
          {p?.approval.ok ? (
            <KeyValues
              items={[
                ['approval_policy', <code key="p" className="text-xs">{p.approval.approvalPolicy === undefined ? '(not set)' : JSON.stringify(p.approval.approvalPolicy)}</code>],
                ['approvals_reviewer', <code key="r" className="text-xs">{p.approval.approvalsReviewer ?? '(not set)'}</code>],
                ['sandbox_mode', <code key="s" className="text-xs">{p.approval.sandboxMode ?? '(not set)'}</code>],
              ]}
            />
          ) : p ? (
            <p className="text-sm text-red-800 dark:text-red-300">config.toml could not be parsed: {p.approval.ok ? '' : p.approval.error}</p>
          ) : (
            <p className="text-sm text-zinc-500">Not available while the pod cannot be read.</p>
          )}
          {p && !p.configPresent && <p className="mt-2 text-sm text-zinc-500">There is no config.toml: Codex uses its defaults.</p>}
        </Section>
      </div>

      <Section title="Pods">
        {pods.length === 0 && <p className="text-sm text-zinc-500">No pod.</p>}
        <div className="space-y-4">
          {pods.map((pd) => (
            <div key={pd.name} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800" data-testid="pod-detail">
              <div className="flex flex-wrap items-center gap-2">
                <code className="text-sm">{pd.name}</code>
                <PodStatusBadge status={pd.terminating ? 'Terminating' : agent.workload.pods.find((x) => x.name === pd.name)?.status ?? pd.phase} ready={pd.conditions.some((c) => c.type === 'Ready' && c.status === 'True')} />
              </div>
              <KeyValues
                items={[
                  ['Node', pd.node ?? '—'],
                  ['Pod IP', pd.podIP ?? '—'],
                  ['Started', pd.startTime ? <RelativeTime key="s" iso={pd.startTime} suffix=" ago" /> : '—'],
                  ['Conditions', pd.conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ') || '—'],
                ]}
              />
              <table className="mt-2 w-full text-left text-sm">
                <thead className="text-xs uppercase text-zinc-500"><tr><th className="py-1 pr-3">Container</th><th className="pr-3">Image</th><th className="pr-3">State</th><th className="pr-3">Ready</th><th>Restarts</th></tr></thead>
                <tbody>
                  {pd.containers.map((c) => (
                    <tr key={c.name} className="border-t border-zinc-100 align-top dark:border-zinc-800">
                      <td className="py-1 pr-3 font-mono text-xs">{c.name}</td>
                      <td className="break-all pr-3 font-mono text-xs">{c.image}</td>
                      <td className="pr-3">{c.state}{c.lastState && <div className="text-xs text-zinc-500">last: {c.lastState}</div>}</td>
                      <td className="pr-3">{c.ready ? 'yes' : 'no'}</td>
                      <td>{c.restartCount}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </div>
        {pod === null && <p className="text-sm text-zinc-500">The Deployment has no pod.</p>}
      </Section>

      <Section title={`Features${p?.features ? ` (${p.features.length})` : ''}`}>
        {p?.features ? <FeatureTable features={p.features} controls={{ agent: ref, permission: featureAccess }} /> : <p className="text-sm text-zinc-500">The feature list is not available{p?.codexError ? ': Codex failed (see above).' : '.'}</p>}
      </Section>

      <ReadinessPanel {...panel} />
      <AgentImagesPanel {...panel} />
      <AgentHistory {...panel} />

      <Section title="Recent events">
        {detail.eventsError && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{detail.eventsError}</p>}
        {events.length === 0 ? (
          <p className="text-sm text-zinc-500">No recent events.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" data-testid="events">
            {events.map((e, i) => (
              <li key={i} className="flex flex-wrap gap-x-3 py-1.5">
                <span className="w-16 shrink-0 text-zinc-500"><RelativeTime iso={e.lastSeen} /></span>
                <Badge kind={e.type === 'Warning' ? 'warn' : 'neutral'}>{e.reason}</Badge>
                <span className="font-mono text-xs text-zinc-500">{e.object}</span>
                <span className="min-w-0 flex-1 break-words">{e.message}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={`Log of the ${detail.container} container`}>
        {logReason ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="log-disabled">
            <Badge>unavailable</Badge> {logReason}
          </p>
        ) : (
          <PodLog logUrl={`${path.replace('/agents/', '/api/agents/')}/log`} pods={agent.workload.pods.map((x) => x.name)} canPrevious={restarted} />
        )}
      </Section>
    </div>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
