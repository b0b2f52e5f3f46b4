// The agent page's own sections. Each reads what it needs through lib/fleet/agent-detail.ts
// (once per render, shared with the other panels), so the page can stream them one by one.
import { Fragment, type ReactNode } from 'react';
import { getAgentAccess, getAgentEvents, getAgentView, toPodDetail } from '@/lib/fleet/agent-detail';
import { locateAgent } from '@/lib/k8s/locator';
import { AUDIT_EVENT_REASON } from '@/lib/audit/log-activity';
import { ApprovalBadge, Badge, LoginBadge, PodStatusBadge } from '@/components/agents/badges';
import { FeatureTable } from '@/components/agents/feature-table';
import { PodLog } from '@/components/agents/pod-log';
import type { AgentPanelProps } from '@/components/agents/panel-props';
import { agentApiPath } from '@/components/actions/agent-url';
import { ObservedAt } from '@/components/ui/observed-at';
import { RelativeTime } from '@/components/ui/relative-time';
import { KeyValues, Section } from '@/components/ui/section';

type Ids = Pick<AgentPanelProps, 'clusterId' | 'namespace' | 'name'>;

/** The header's badges of what needs attention (they need the probe, so they stream in). */
export async function AgentAttention({ clusterId, namespace, name }: Ids) {
  const agent = await getAgentView(clusterId, namespace, name);
  return (
    <>
      {agent.attention.map((r) => (
        <Badge key={r} kind="bad">
          {r}
        </Badge>
      ))}
    </>
  );
}

export async function AgentProblem({ clusterId, namespace, name }: Ids) {
  const { problem, probe, probeFailure } = await getAgentView(clusterId, namespace, name);
  if (problem)
    return (
      <p role="alert" data-testid="agent-problem" className="rounded-md bg-red-50 px-3 py-2 text-red-900 dark:bg-red-950 dark:text-red-200">
        {problem}
      </p>
    );
  // The facts stand, from the last probe that worked; the page says they may be out of date, and why.
  if (probe && probeFailure)
    return (
      <p
        role="status"
        data-testid="probe-failure"
        className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-950 dark:text-amber-200"
      >
        The last check of this pod failed <RelativeTime iso={probeFailure.at} suffix=" ago" />: {probeFailure.message} What is shown was
        seen <RelativeTime iso={probe.observedAt} suffix=" ago" />.
      </p>
    );
  return null;
}

/** Details as "a · b · c", each a text or a node (a time); a dash when there are none. */
function joinDetails(parts: Array<ReactNode | null | undefined | false>): ReactNode {
  const shown = parts.filter(Boolean);
  if (!shown.length) return '—';
  return shown.map((part, i) => (
    <Fragment key={i}>
      {i > 0 && ' · '}
      {part}
    </Fragment>
  ));
}

export async function CodexSummary({ clusterId, namespace, name }: Ids) {
  const { probe: p } = await getAgentView(clusterId, namespace, name);
  return (
    <Section title="Codex">
      <KeyValues
        items={[
          [
            'Login',
            <span key="l" data-testid="login-state">
              <LoginBadge login={p?.login} />
            </span>,
          ],
          [
            'Login detail',
            p?.login.kind === 'chatgpt'
              ? joinDetails([
                  p.login.plan && `plan ${p.login.plan}`,
                  p.login.accountId && `account ${p.login.accountId}`,
                  p.login.expiresAt && (
                    <>
                      valid until <RelativeTime iso={p.login.expiresAt} />
                    </>
                  ),
                  p.login.lastRefresh && (
                    <>
                      last refresh <RelativeTime iso={p.login.lastRefresh} suffix=" ago" />
                    </>
                  ),
                ])
              : p?.login.kind === 'unreadable'
                ? p.login.reason
                : '—',
          ],
          [
            'Approval mode',
            <span key="a" data-testid="approval-mode">
              <ApprovalBadge approval={p?.approval} />
            </span>,
          ],
          [
            'Image generation',
            <span key="i" data-testid="image-generation">
              {p?.imageGeneration == null ? '—' : p.imageGeneration ? 'On' : 'Off'}
            </span>,
          ],
          ['Generated images', p ? `${p.images.count} (${formatBytes(p.images.bytes)})` : '—'],
          ['Codex version', p?.codexVersion ?? '—'],
          [
            'Codex home',
            <code key="h" className="break-all text-xs">
              {p?.codexHome || '—'}
            </code>,
          ],
          ['Last activity', <RelativeTime key="t" iso={p?.lastActivity} suffix=" ago" />],
        ]}
      />
      {p?.codexError && (
        <div className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          <p className="font-medium">Codex cannot start with this configuration:</p>
          <pre className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{p.codexError}</pre>
        </div>
      )}
      <ObservedAt fact={p} />
    </Section>
  );
}

export async function ApprovalKeys({ clusterId, namespace, name }: Ids) {
  const { probe: p } = await getAgentView(clusterId, namespace, name);
  return (
    <Section title="Approval keys, as Codex reads them">
      {p?.approval.ok ? (
        <KeyValues
          items={[
            [
              'approval_policy',
              <code key="p" className="break-all text-xs">
                {p.approval.approvalPolicy === undefined ? '(not set)' : JSON.stringify(p.approval.approvalPolicy)}
              </code>,
            ],
            [
              'approvals_reviewer',
              <code key="r" className="break-all text-xs">
                {p.approval.approvalsReviewer ?? '(not set)'}
              </code>,
            ],
            [
              'sandbox_mode',
              <code key="s" className="break-all text-xs">
                {p.approval.sandboxMode ?? '(not set)'}
              </code>,
            ],
          ]}
        />
      ) : p ? (
        <p className="text-sm text-red-800 dark:text-red-300">config.toml could not be parsed: {p.approval.ok ? '' : p.approval.error}</p>
      ) : (
        <p className="text-sm text-zinc-500">Not available while the pod cannot be read.</p>
      )}
      {p && !p.configPresent && <p className="mt-2 text-sm text-zinc-500">There is no config.toml: Codex uses its defaults.</p>}
      <ObservedAt fact={p} />
    </Section>
  );
}

export async function FeaturesSection({ clusterId, namespace, name, user }: AgentPanelProps) {
  const [{ probe: p }, access] = await Promise.all([
    getAgentView(clusterId, namespace, name),
    getAgentAccess(clusterId, namespace, name, user.role),
  ]);
  return (
    <Section title={`Features${p?.features ? ` (${p.features.length})` : ''}`}>
      {p?.features ? (
        <FeatureTable features={p.features} controls={{ agent: { clusterId, namespace, name }, permission: access.editConfig }} />
      ) : (
        <p className="text-sm text-zinc-500">
          The feature list is not available{p?.codexError ? ': Codex failed (see the Overview).' : '.'}
        </p>
      )}
      <ObservedAt fact={p} />
    </Section>
  );
}

export async function PodsSection({ clusterId, namespace, name }: Ids) {
  const { pods, workload, pod } = await locateAgent({ clusterId, namespace, name });
  return (
    <Section title="Pods">
      {pods.length === 0 && <p className="text-sm text-zinc-500">No pod.</p>}
      <div className="space-y-4">
        {pods.map(toPodDetail).map((pd) => (
          <div key={pd.name} className="min-w-0 rounded-md border border-zinc-200 p-3 dark:border-zinc-800" data-testid="pod-detail">
            <div className="flex flex-wrap items-center gap-2">
              <code className="break-all text-sm">{pd.name}</code>
              <PodStatusBadge
                status={pd.terminating ? 'Terminating' : (workload.pods.find((x) => x.name === pd.name)?.status ?? pd.phase)}
                ready={pd.conditions.some((c) => c.type === 'Ready' && c.status === 'True')}
              />
            </div>
            <KeyValues
              items={[
                ['Node', pd.node ?? '—'],
                ['Pod IP', pd.podIP ?? '—'],
                ['Started', pd.startTime ? <RelativeTime key="s" iso={pd.startTime} suffix=" ago" /> : '—'],
                ['Conditions', pd.conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ') || '—'],
              ]}
            />
            <div className="mt-2 overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="text-xs uppercase text-zinc-500">
                  <tr>
                    <th className="py-1 pr-3">Container</th>
                    <th className="pr-3">Image</th>
                    <th className="pr-3">State</th>
                    <th className="pr-3">Ready</th>
                    <th>Restarts</th>
                  </tr>
                </thead>
                <tbody>
                  {pd.containers.map((c) => (
                    <tr key={c.name} className="border-t border-zinc-100 align-top dark:border-zinc-800">
                      <td className="py-1 pr-3 font-mono text-xs">{c.name}</td>
                      <td className="break-all pr-3 font-mono text-xs">{c.image}</td>
                      <td className="pr-3">
                        {c.state}
                        {c.lastState && <div className="text-xs text-zinc-500">last: {c.lastState}</div>}
                      </td>
                      <td className="pr-3">{c.ready ? 'yes' : 'no'}</td>
                      <td>{c.restartCount}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        ))}
      </div>
      {pod === null && <p className="text-sm text-zinc-500">The Deployment has no pod.</p>}
    </Section>
  );
}

export async function EventsSection({ clusterId, namespace, name }: Ids) {
  const read = await getAgentEvents(clusterId, namespace, name);
  // The dashboard's own Events are its audit records: History lists them, in words.
  const events = read.events.filter((e) => e.reason !== AUDIT_EVENT_REASON);
  const error = read.error;
  return (
    <Section title="Recent events">
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      {events.length === 0 ? (
        <p className="text-sm text-zinc-500">No recent events.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" data-testid="events">
          {events.map((e, i) => (
            <li key={i} className="flex flex-wrap gap-x-3 py-1.5">
              <span className="w-16 shrink-0 text-zinc-500">
                <RelativeTime iso={e.lastSeen} />
              </span>
              <Badge kind={e.type === 'Warning' ? 'warn' : 'neutral'}>{e.reason}</Badge>
              <span className="break-all font-mono text-xs text-zinc-500">{e.object}</span>
              <span className="min-w-0 flex-1 break-words">{e.message}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export async function LogSection({ clusterId, namespace, name, user }: AgentPanelProps) {
  const [{ workload, pods, container }, access] = await Promise.all([
    locateAgent({ clusterId, namespace, name }),
    getAgentAccess(clusterId, namespace, name, user.role),
  ]);
  const restarted = pods.some((pd) => pd.status?.containerStatuses?.some((c) => c.name === container && c.restartCount > 0));
  return (
    <Section title={`Log of the ${container} container`}>
      {!access.readLogs.allowed ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="log-disabled">
          <Badge>unavailable</Badge> {access.readLogs.reason}
        </p>
      ) : (
        <PodLog
          logUrl={`${agentApiPath({ clusterId, namespace, name })}/log`}
          pods={workload.pods.map((x) => x.name)}
          canPrevious={restarted}
        />
      )}
    </Section>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
