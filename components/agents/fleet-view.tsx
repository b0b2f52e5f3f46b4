'use client';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Fleet, FleetAgent } from '@/lib/fleet/fleet';
import { ApprovalBadge, Badge, LoginBadge, PodStatusBadge } from './badges';
import { RelativeTime } from '@/components/ui/relative-time';
import { FeatureSwitch } from '@/components/actions/feature-switch';
import { BulkRestartBar, useSessionRole, operatorPermission } from '@/components/actions/bulk-restart';
import type { Permission } from '@/lib/operations/access';
import { ReadinessBadge, overviewItems, type OverviewReadiness } from '@/components/readiness/readiness-badge';

/** Readiness changes slowly and its pod facts are cached for minutes: poll it less often than the fleet. */
const READINESS_REFRESH_MS = 60_000;

type StateFilter = 'all' | 'attention' | 'logged-in' | 'not-logged-in' | 'expired' | 'crash-looping' | 'unreadable';
type SortKey = 'attention' | 'name' | 'namespace' | 'activity' | 'images' | 'restarts';

const STATE_LABELS: Record<StateFilter, string> = {
  all: 'All states',
  attention: 'Needs attention',
  'logged-in': 'Logged in',
  'not-logged-in': 'Not logged in',
  expired: 'Login expired',
  'crash-looping': 'Crash-looping',
  unreadable: 'Cannot be read',
};

type ApprovalFilter = 'all' | 'manual' | 'auto-review' | 'full-access' | 'custom' | 'default' | 'guide';

const APPROVAL_FILTER_LABELS: Record<ApprovalFilter, string> = {
  all: 'Any approval mode',
  manual: 'Manual',
  'auto-review': 'Auto-review',
  'full-access': 'Full access',
  custom: 'Custom',
  default: "Codex's default",
  guide: "Per OpenAB's guide (ignored or refused)",
};

function matchesApproval(a: FleetAgent, filter: ApprovalFilter): boolean {
  const approval = a.probe?.approval;
  if (filter === 'all') return true;
  if (!approval?.ok) return false;
  return filter === 'guide' ? Boolean(approval.guideMistake) : approval.mode === filter;
}

/** Newest Codex first: versions compare by their numbers, not as text (0.99 < 0.121). */
function byVersionDescending(x: string, y: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [a, b] = [parts(x), parts(y)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === undefined) return 1;
    if (b[i] === undefined) return -1;
    return typeof a[i] === 'number' && typeof b[i] === 'number' ? (b[i] as number) - (a[i] as number) : String(b[i]).localeCompare(String(a[i]));
  }
  return 0;
}

function matchesState(a: FleetAgent, state: StateFilter): boolean {
  const login = a.probe?.login;
  switch (state) {
    case 'all': return true;
    case 'attention': return a.attention.length > 0;
    case 'logged-in': return login?.kind === 'chatgpt' ? login.expiry !== 'expired' : login?.kind === 'apikey' || login?.kind === 'other';
    case 'not-logged-in': return login?.kind === 'not-logged-in';
    case 'expired': return login?.kind === 'chatgpt' && login.expiry === 'expired';
    case 'crash-looping': return a.workload.pods.some((p) => p.crashLooping);
    case 'unreadable': return Boolean(a.problem) || login?.kind === 'unreadable';
  }
}

export function agentHref(a: Pick<FleetAgent, 'clusterId' | 'workload'>): string {
  return `/agents/${encodeURIComponent(a.clusterId)}/${encodeURIComponent(a.workload.namespace)}/${encodeURIComponent(a.workload.name)}`;
}

function compare(sort: SortKey) {
  return (x: FleetAgent, y: FleetAgent): number => {
    const byName = x.workload.namespace.localeCompare(y.workload.namespace) || x.workload.name.localeCompare(y.workload.name);
    switch (sort) {
      case 'attention': return (y.attention.length > 0 ? 1 : 0) - (x.attention.length > 0 ? 1 : 0) || byName;
      case 'name': return x.workload.name.localeCompare(y.workload.name) || byName;
      case 'namespace': return byName;
      case 'activity': return (y.probe?.lastActivity ?? '').localeCompare(x.probe?.lastActivity ?? '') || byName;
      case 'images': return (y.probe?.images.count ?? -1) - (x.probe?.images.count ?? -1) || byName;
      case 'restarts': return (y.pod?.restarts ?? y.workload.pods[0]?.restarts ?? 0) - (x.pod?.restarts ?? x.workload.pods[0]?.restarts ?? 0) || byName;
    }
  };
}

const selectClass = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

export function FleetView({ initial, refreshMs }: { initial: Fleet; refreshMs: number }) {
  const [fleet, setFleet] = useState(initial);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [cluster, setCluster] = useState('all');
  const [namespace, setNamespace] = useState('all');
  const [state, setState] = useState<StateFilter>('all');
  const [approval, setApproval] = useState<ApprovalFilter>('all');
  const [version, setVersion] = useState('all');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortKey>('attention');
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const role = useSessionRole();
  const actPermission = operatorPermission(role);
  const stopped = useRef(false);
  const [readiness, setReadiness] = useState<Record<string, OverviewReadiness> | null>(null);

  const loadReadiness = useCallback(async () => {
    if (document.hidden) return;
    try {
      const res = await fetch('/api/readiness', { cache: 'no-store' });
      if (!res.ok) return;
      const body = (await res.json()) as { agents: Record<string, OverviewReadiness> };
      if (!stopped.current) setReadiness(body.agents);
    } catch {
      // The cards keep their last readiness; the fleet refresh reports connection problems.
    }
  }, []);

  useEffect(() => {
    void loadReadiness();
    const timer = setInterval(loadReadiness, Math.max(READINESS_REFRESH_MS, refreshMs));
    return () => clearInterval(timer);
  }, [loadReadiness, refreshMs]);

  const tick = useCallback(async () => {
    if (document.hidden) return;
    try {
      const res = await fetch('/api/fleet', { cache: 'no-store' });
      if (res.status === 401) {
        // A full load, not a client navigation: the proxy sends it on with the session's end, and no stale client state survives.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.assign('/signin?callbackUrl=/');
        return;
      }
      if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`);
      const next = (await res.json()) as Fleet;
      if (!stopped.current) {
        setFleet(next);
        setRefreshError(null);
      }
    } catch (err) {
      if (!stopped.current) setRefreshError(`Refresh failed: ${(err as Error).message}. Showing the last data.`);
    }
  }, []);

  useEffect(() => {
    stopped.current = false;
    const timer = setInterval(tick, refreshMs);
    return () => {
      stopped.current = true;
      clearInterval(timer);
    };
  }, [refreshMs, tick]);

  const toggleSelected = (key: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });

  const namespaces = useMemo(() => [...new Set(fleet.agents.map((a) => a.workload.namespace))].sort(), [fleet]);
  const versions = useMemo(() => [...new Set(fleet.agents.map((a) => a.probe?.codexVersion).filter((v): v is string => Boolean(v)))].sort(byVersionDescending), [fleet]);
  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    return fleet.agents
      .filter((a) => cluster === 'all' || a.clusterId === cluster)
      .filter((a) => namespace === 'all' || a.workload.namespace === namespace)
      .filter((a) => matchesState(a, state))
      .filter((a) => matchesApproval(a, approval))
      .filter((a) => version === 'all' || a.probe?.codexVersion === version)
      .filter((a) => {
        if (!q) return true;
        const login = a.probe?.login;
        const email = login?.kind === 'chatgpt' ? login.email ?? '' : '';
        return [a.workload.name, a.workload.namespace, a.clusterLabel, email, a.pod?.name ?? ''].some((s) => s.toLowerCase().includes(q));
      })
      .sort(compare(sort));
  }, [fleet, cluster, namespace, state, approval, version, query, sort]);

  const attentionCount = fleet.agents.filter((a) => a.attention.length > 0).length;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Codex fleet</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {fleet.agents.length} agents
            {attentionCount > 0 && <> · <span className="font-medium text-red-700 dark:text-red-400">{attentionCount} need attention</span></>}
            {' · '}updated <RelativeTime iso={fleet.generatedAt} suffix=" ago" />
          </p>
        </div>
      </div>

      {fleet.error && <Alert>{fleet.error}</Alert>}
      {fleet.clusters.filter((c) => c.error).map((c) => (
        <Alert key={c.id}>
          Cluster <strong>{c.label}</strong>: {c.error}
        </Alert>
      ))}
      {refreshError && <p role="status" className="text-sm text-amber-700 dark:text-amber-300">{refreshError}</p>}

      <div role="search" className="flex flex-wrap gap-2">
        {fleet.clusters.length > 1 && (
          <label className="flex items-center gap-1 text-sm">
            <span className="sr-only">Cluster</span>
            <select aria-label="Cluster" className={selectClass} value={cluster} onChange={(e) => setCluster(e.target.value)}>
              <option value="all">All clusters</option>
              {fleet.clusters.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
            </select>
          </label>
        )}
        <select aria-label="Namespace" className={selectClass} value={namespace} onChange={(e) => setNamespace(e.target.value)}>
          <option value="all">All namespaces</option>
          {namespaces.map((ns) => <option key={ns} value={ns}>{ns}</option>)}
        </select>
        <select aria-label="State" className={selectClass} value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
          {Object.entries(STATE_LABELS).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
        <select aria-label="Approval mode" className={selectClass} value={approval} onChange={(e) => setApproval(e.target.value as ApprovalFilter)}>
          {Object.entries(APPROVAL_FILTER_LABELS).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
        <select aria-label="Codex version" className={selectClass} value={version} onChange={(e) => setVersion(e.target.value)}>
          <option value="all">Any Codex version</option>
          {versions.map((v) => <option key={v} value={v}>Codex {v}</option>)}
        </select>
        <select aria-label="Sort by" className={selectClass} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
          <option value="attention">Needs attention first</option>
          <option value="name">Name</option>
          <option value="namespace">Namespace</option>
          <option value="activity">Last activity</option>
          <option value="images">Images</option>
          <option value="restarts">Restarts</option>
        </select>
        <input
          type="search"
          aria-label="Search agents"
          placeholder="Search name, namespace, e-mail…"
          className={`${selectClass} min-w-0 flex-1 sm:max-w-xs`}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>

      <BulkRestartBar
        agents={fleet.agents.filter((a) => selected.has(a.key))}
        visibleKeys={rows.map((a) => a.key)}
        permission={actPermission}
        onSelectAll={(keys) => setSelected(new Set(keys))}
        onClear={() => setSelected(new Set())}
        onFinished={tick}
      />

      {rows.length === 0 ? (
        <p className="rounded-md border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {fleet.agents.length === 0 ? 'No Codex agents found with the configured selector.' : 'No agent matches these filters.'}
        </p>
      ) : (
        <ul className="grid grid-cols-1 gap-3 lg:grid-cols-2" aria-label="Agents">
          {rows.map((a) => (
            <AgentCard
              key={a.key}
              agent={a}
              showCluster={fleet.clusters.length > 1}
              selected={selected.has(a.key)}
              onSelect={(on) => toggleSelected(a.key, on)}
              permission={actPermission}
              onChanged={tick}
              readiness={readiness?.[a.key]}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function Alert({ children }: { children: React.ReactNode }) {
  return <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">{children}</div>;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 truncate text-sm">{children}</dd>
    </div>
  );
}

function AgentCard({
  agent,
  showCluster,
  selected,
  onSelect,
  permission,
  onChanged,
  readiness,
}: {
  agent: FleetAgent;
  showCluster: boolean;
  selected: boolean;
  onSelect: (on: boolean) => void;
  permission: Permission;
  onChanged: () => void;
  /** Undefined while the first readiness answer is on its way. */
  readiness?: OverviewReadiness;
}) {
  const pod = agent.pod ?? agent.workload.pods[0] ?? null;
  const p = agent.probe;
  const label = `${agent.workload.namespace}/${agent.workload.name}`;
  const imageFeature = p?.features?.find((f) => f.name === 'image_generation');
  const switchPermission: Permission = !permission.allowed ? permission : !p || p.imageGeneration == null ? { allowed: false, reason: 'Codex could not be read on this agent.' } : permission;
  return (
    <li
      data-testid="agent-card"
      data-agent={`${agent.workload.namespace}/${agent.workload.name}`}
      className={`min-w-0 rounded-lg border bg-white p-4 shadow-sm dark:bg-zinc-900 ${agent.attention.length ? 'border-red-300 dark:border-red-800' : 'border-zinc-200 dark:border-zinc-800'}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex min-w-0 items-start gap-2">
          <input
            type="checkbox"
            className="mt-1"
            aria-label={`Select ${label}`}
            data-testid="agent-select"
            checked={selected}
            onChange={(e) => onSelect(e.target.checked)}
          />
          <div className="min-w-0">
          <Link href={agentHref(agent)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            {agent.workload.name}
          </Link>
          <div className="text-xs text-zinc-500 dark:text-zinc-400">
            {showCluster && <>{agent.clusterLabel} / </>}
            {agent.workload.namespace}
          </div>
          </div>
        </div>
        <div className="flex flex-wrap gap-1">
          {agent.attention.map((r) => <Badge key={r} kind="bad">{r}</Badge>)}
        </div>
      </div>
      {agent.problem && (
        <p data-testid="agent-problem" className="mt-2 rounded bg-red-50 px-2 py-1 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">{agent.problem}</p>
      )}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4">
        <Field label="Pod">{pod ? <PodStatusBadge status={pod.status} ready={pod.ready} /> : '—'}</Field>
        <Field label="Restarts">{pod?.restarts ?? 0}</Field>
        <Field label="Age"><RelativeTime iso={pod?.createdAt ?? agent.workload.createdAt} /></Field>
        <Field label="Codex">{p?.codexVersion ?? '—'}</Field>
        <div className="col-span-2 min-w-0">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Login</dt>
          <dd className="mt-0.5" data-testid="login-state"><LoginBadge login={p?.login} /></dd>
        </div>
        <Field label="Approval"><span data-testid="approval-mode"><ApprovalBadge mode={p?.approval.ok ? p.approval.mode : undefined} error={p && !p.approval.ok ? p.approval.error : undefined} guideMistake={p?.approval.ok ? p.approval.guideMistake : undefined} /></span></Field>
        <div className="min-w-0">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Image generation</dt>
          <dd className="mt-0.5 text-sm">
          <span className="inline-flex items-center gap-2">
            <span data-testid="image-generation">{p?.imageGeneration == null ? '—' : p.imageGeneration ? 'On' : 'Off'}</span>
            {p?.imageGeneration != null && (
              <FeatureSwitch
                agent={{ clusterId: agent.clusterId, namespace: agent.workload.namespace, name: agent.workload.name }}
                name="image_generation"
                stage={imageFeature?.stage ?? 'stable'}
                enabled={p.imageGeneration}
                permission={switchPermission}
                label={`Image generation for ${label}`}
                quiet
                onChanged={onChanged}
              />
            )}
          </span>
          </dd>
        </div>
        <Field label="Images"><span data-testid="image-count">{p ? p.images.count : '—'}</span></Field>
        <Field label="Last activity"><RelativeTime iso={p?.lastActivity} suffix=" ago" /></Field>
        <div className="col-span-2 min-w-0 sm:col-span-4">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Delivery readiness</dt>
          <dd className="mt-0.5 min-w-0"><ReadinessBadge items={overviewItems(p, agent.problem, readiness)} /></dd>
        </div>
      </dl>
      {p?.codexError && <p className="mt-2 truncate text-xs text-red-700 dark:text-red-300" title={p.codexError}>Codex: {p.codexError}</p>}
    </li>
  );
}
