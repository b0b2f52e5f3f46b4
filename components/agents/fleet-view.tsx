'use client';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Fleet, FleetAgent, OverviewFleet } from '@/lib/fleet/fleet';
import { agentPath } from '@/lib/url-params';
import { IMAGE_GENERATION_FEATURE } from '@/lib/codex/features';
import { ApprovalBadge, Badge, LoginBadge, PodStatusBadge } from './badges';
import { RelativeTime } from '@/components/ui/relative-time';
import { FeatureSwitch } from '@/components/actions/feature-switch';
import { BulkRestartBar, useSessionRole, operatorPermission } from '@/components/actions/bulk-restart';
import type { Permission } from '@/lib/operations/access';
import { ReadinessBadge, overviewItems, type OverviewReadiness } from '@/components/readiness/readiness-badge';
import { parseOverviewParams, SHOWN_LIMIT, VIEWS, type ViewKind } from '@/components/fleet/overview-params';
import { useOverviewParams } from '@/components/fleet/use-overview-params';
import { rememberView } from '@/components/fleet/view-choice';
import {
  APPROVAL_FILTER_LABELS,
  byVersionDescending,
  factsObservedAt,
  LOGIN_FILTER_LABELS,
  READINESS_FILTER_LABELS,
  SORT_LABELS,
  STATE_LABELS,
  visibleAgents,
} from '@/components/fleet/fleet-rows';
import { FleetTable } from '@/components/fleet/fleet-table';
import { Pager, pageSlice } from '@/components/fleet/pager';
import { BulkApprovalControl, BulkResult, type BulkApprovalResults } from '@/components/fleet/bulk-approval';
import type { BulkApprovalItem } from '@/lib/operations/bulk-approval';

/** The least time between two refreshes of the fleet, however often it changes. */
const REFRESH_BREATH_MS = 1_000;

/** Readiness changes slowly and its pod facts are cached for minutes: poll it less often than the fleet. */
const READINESS_REFRESH_MS = 60_000;

const selectClass = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

/** A name the fleet does not have (a stale or mistyped link) is ignored, as its select shows. */
const known = (value: string, values: string[]) => (value === 'all' || values.includes(value) ? value : 'all');

const VIEW_LABELS: Record<ViewKind, string> = { cards: 'Cards', table: 'Table' };

export function FleetView({
  initial,
  refreshMs,
  savedView,
  viewCookie,
}: {
  initial: Fleet;
  refreshMs: number;
  savedView: ViewKind;
  viewCookie: string;
}) {
  const [fleet, setFleet] = useState(initial);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [params, setParams] = useOverviewParams();
  const [remembered, setRemembered] = useState(savedView);
  const view = params.view ?? remembered;
  // The search box answers every key at once; the URL follows without a history entry per key.
  const [query, setQuery] = useState(params.q);
  useEffect(() => {
    // Follow the URL when it moved on its own (back/forward, a link), not when a render is
    // still catching up with keys typed since: the address bar already holds the newest text.
    if (params.q === parseOverviewParams(new URLSearchParams(window.location.search)).q) setQuery(params.q);
  }, [params.q]);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [approvalResults, setApprovalResults] = useState<BulkApprovalResults | null>(null);
  const role = useSessionRole();
  const actPermission = operatorPermission(role);
  const stopped = useRef(false);
  /** The agents on screen, named in each refresh so the dashboard keeps them freshest. */
  const onScreen = useRef<string[]>([]);
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

  // Agents not checked yet when the page was made (a big fleet on a dashboard just started) come
  // with the first refresh: it is asked for at once.
  const [uncheckedAtStart] = useState(() => initial.agents.some((a) => a.pod && !a.probe && !a.problem));
  /** The token of the fleet shown, from the last refresh: the next one waits on the server until it changes. */
  const token = useRef<string | null>(null);

  /** One refresh (`wait`: until the fleet differs from the one shown); whether it succeeded. A hidden tab does not refresh. */
  const refresh = useCallback(async (signal: AbortSignal, wait: boolean): Promise<boolean> => {
    if (document.hidden) return false;
    try {
      const query = new URLSearchParams(onScreen.current.slice(0, SHOWN_LIMIT).map((key) => ['shown', key]));
      if (wait && token.current) query.set('after', token.current);
      const res = await fetch(`/api/fleet?${query}`, { cache: 'no-store', signal });
      if (res.status === 401) {
        // A full load, not a client navigation: the proxy sends it on with the session's end, and no stale client state survives.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.assign('/signin?callbackUrl=/');
        return false;
      }
      if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`);
      const next = (await res.json()) as OverviewFleet;
      if (!stopped.current) {
        token.current = next.token ?? null;
        setFleet(next);
        setRefreshError(null);
      }
      return true;
    } catch (err) {
      if (!stopped.current && !signal.aborted) setRefreshError(`Refresh failed: ${(err as Error).message}. Showing the last data.`);
      return false;
    }
  }, []);

  useEffect(() => {
    stopped.current = false;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout>;
    const run = async () => {
      const startedAt = Date.now();
      const ok = await refresh(abort.signal, true);
      if (stopped.current) return;
      // A refresh that waited on the server and came back with a change is followed by the next at
      // once (after a breath), so the page hears of each change as it is found. One that came back
      // at once (a fleet always changing, a server too busy to wait, an error) keeps to the interval.
      const waited = Date.now() - startedAt;
      timer = setTimeout(run, ok ? Math.max(REFRESH_BREATH_MS, refreshMs - waited) : refreshMs);
    };
    timer = setTimeout(run, uncheckedAtStart ? REFRESH_BREATH_MS : refreshMs);
    return () => {
      stopped.current = true;
      abort.abort();
      clearTimeout(timer);
    };
  }, [refreshMs, refresh, uncheckedAtStart]);
  /** After an action on the page: the fleet as it is now, without waiting. */
  const refreshNow = useCallback(() => void refresh(new AbortController().signal, false), [refresh]);

  const select = (keys: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const key of keys) {
        if (on) next.add(key);
        else next.delete(key);
      }
      return next;
    });

  const chooseView = (next: ViewKind) => {
    rememberView(viewCookie, next);
    setRemembered(next);
    setParams({ view: next, page: params.page });
  };

  const namespaces = useMemo(() => [...new Set(fleet.agents.map((a) => a.workload.namespace))].sort(), [fleet]);
  const versions = useMemo(
    () => [...new Set(fleet.agents.map((a) => a.probe?.codexVersion).filter((v): v is string => Boolean(v)))].sort(byVersionDescending),
    [fleet],
  );
  const clusterIds = useMemo(() => fleet.clusters.map((c) => c.id), [fleet]);
  const shown = useMemo(
    () => ({
      ...params,
      cluster: known(params.cluster, clusterIds),
      namespace: known(params.namespace, namespaces),
      version: known(params.version, versions),
    }),
    [params, clusterIds, namespaces, versions],
  );
  const rows = useMemo(() => visibleAgents(fleet.agents, shown, readiness), [fleet, shown, readiness]);
  const slice = pageSlice(rows.length, params.page, params.size);
  const pageRows = rows.slice(slice.start, slice.end);
  useEffect(() => {
    onScreen.current = pageRows.map((a) => a.key);
  });
  const results = approvalResults ?? new Map<string, BulkApprovalItem>();

  const attentionCount = fleet.agents.filter((a) => a.attention.length > 0).length;

  return (
    <div className="min-w-0 space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Codex fleet</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {fleet.agents.length} agents
            {attentionCount > 0 && (
              <>
                {' '}
                · <span className="font-medium text-red-700 dark:text-red-400">{attentionCount} need attention</span>
              </>
            )}
            {' · '}updated <RelativeTime iso={fleet.generatedAt} suffix=" ago" />
          </p>
        </div>
        <div role="radiogroup" aria-label="View" className="inline-flex rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700">
          {VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              role="radio"
              aria-checked={view === v}
              onClick={() => chooseView(v)}
              className={`rounded px-3 py-1 text-sm ${view === v ? 'bg-sky-700 text-white dark:bg-sky-600' : 'text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800'}`}
            >
              {VIEW_LABELS[v]}
            </button>
          ))}
        </div>
      </div>

      {fleet.error && <Alert>{fleet.error}</Alert>}
      {fleet.clusters
        .filter((c) => c.error)
        .map((c) => (
          <Alert key={c.id}>
            Cluster <strong>{c.label}</strong>: {c.error}
          </Alert>
        ))}
      {refreshError && (
        <p role="status" className="text-sm text-amber-700 dark:text-amber-300">
          {refreshError}
        </p>
      )}

      <div role="search" className="flex flex-wrap gap-2">
        {fleet.clusters.length > 1 && (
          <FilterSelect
            label="Cluster"
            value={shown.cluster}
            options={[['all', 'All clusters'], ...fleet.clusters.map((c): [string, string] => [c.id, c.label])]}
            onChange={(cluster) => setParams({ cluster })}
          />
        )}
        <FilterSelect
          label="Namespace"
          value={shown.namespace}
          options={[['all', 'All namespaces'], ...namespaces.map((ns): [string, string] => [ns, ns])]}
          onChange={(namespace) => setParams({ namespace })}
        />
        <FilterSelect label="State" value={params.state} labels={STATE_LABELS} onChange={(state) => setParams({ state })} />
        <FilterSelect
          label="Approval mode"
          value={params.approval}
          labels={APPROVAL_FILTER_LABELS}
          onChange={(approval) => setParams({ approval })}
        />
        <FilterSelect label="Login" value={params.login} labels={LOGIN_FILTER_LABELS} onChange={(login) => setParams({ login })} />
        <FilterSelect
          label="Readiness"
          value={params.readiness}
          labels={READINESS_FILTER_LABELS}
          onChange={(readiness) => setParams({ readiness })}
        />
        <FilterSelect
          label="Codex version"
          value={shown.version}
          options={[['all', 'Any Codex version'], ...versions.map((v): [string, string] => [v, `Codex ${v}`])]}
          onChange={(version) => setParams({ version })}
        />
        <FilterSelect label="Sort by" value={params.sort} labels={SORT_LABELS} onChange={(sort) => setParams({ sort, dir: 'asc' })} />
        <input
          type="search"
          aria-label="Search agents"
          placeholder="Search name, namespace, e-mail…"
          className={`${selectClass} min-w-0 flex-1 sm:max-w-xs`}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setParams({ q: e.target.value }, 'replace');
          }}
        />
      </div>

      <BulkRestartBar
        agents={fleet.agents.filter((a) => selected.has(a.key))}
        visibleKeys={pageRows.map((a) => a.key)}
        permission={actPermission}
        onSelectAll={(keys) => setSelected(new Set(keys))}
        onClear={() => setSelected(new Set())}
        onFinished={refreshNow}
      >
        <BulkApprovalControl
          agents={fleet.agents.filter((a) => selected.has(a.key))}
          permission={actPermission}
          selectClass={selectClass}
          onResults={setApprovalResults}
          onFinished={refreshNow}
        />
      </BulkRestartBar>

      {rows.length === 0 ? (
        <p className="rounded-md border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {fleet.agents.length === 0 ? 'No Codex agents found with the configured selector.' : 'No agent matches these filters.'}
        </p>
      ) : view === 'table' ? (
        <FleetTable
          agents={pageRows}
          params={params}
          onSort={(sort, dir) => setParams({ sort, dir })}
          showCluster={fleet.clusters.length > 1}
          selected={selected}
          onSelect={select}
          readiness={readiness}
          results={results}
        />
      ) : (
        <ul className="grid grid-cols-1 gap-3 lg:grid-cols-2" aria-label="Agents">
          {pageRows.map((a) => (
            <AgentCard
              key={a.key}
              agent={a}
              showCluster={fleet.clusters.length > 1}
              selected={selected.has(a.key)}
              onSelect={(on) => select([a.key], on)}
              permission={actPermission}
              onChanged={refreshNow}
              readiness={readiness?.[a.key]}
              result={results.get(a.key)}
            />
          ))}
        </ul>
      )}
      {rows.length > 0 && (
        <Pager
          {...slice}
          total={rows.length}
          size={params.size}
          selectClass={selectClass}
          onPage={(page) => setParams({ page })}
          onSize={(size) => setParams({ size })}
        />
      )}
    </div>
  );
}

/** A filter of the list: `labels` (value to label, in order) or `options` (value and label pairs, for values known only from the fleet). */
function FilterSelect<T extends string>({
  label,
  value,
  labels,
  options = Object.entries(labels ?? {}) as [T, string][],
  onChange,
}: {
  label: string;
  value: T;
  labels?: Record<T, string>;
  options?: Array<[T, string]>;
  onChange: (value: T) => void;
}) {
  return (
    <select aria-label={label} className={selectClass} value={value} onChange={(e) => onChange(e.target.value as T)}>
      {options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
}

function Alert({ children }: { children: React.ReactNode }) {
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      {children}
    </div>
  );
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
  result,
}: {
  agent: FleetAgent;
  showCluster: boolean;
  selected: boolean;
  onSelect: (on: boolean) => void;
  permission: Permission;
  onChanged: () => void;
  /** Undefined while the first readiness answer is on its way. */
  readiness?: OverviewReadiness;
  /** This agent's outcome of the last bulk approval change. */
  result?: BulkApprovalItem;
}) {
  const pod = agent.pod ?? agent.workload.pods[0] ?? null;
  const p = agent.probe;
  const label = `${agent.workload.namespace}/${agent.workload.name}`;
  const imageFeature = p?.features?.find((f) => f.name === IMAGE_GENERATION_FEATURE);
  const switchPermission: Permission = !permission.allowed
    ? permission
    : !p || p.imageGeneration == null
      ? { allowed: false, reason: 'Codex could not be read on this agent.' }
      : permission;
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
            <Link
              href={agentPath({ clusterId: agent.clusterId, namespace: agent.workload.namespace, name: agent.workload.name })}
              className="font-medium text-sky-700 hover:underline dark:text-sky-400"
            >
              {agent.workload.name}
            </Link>
            <div className="text-xs text-zinc-500 dark:text-zinc-400">
              {showCluster && <>{agent.clusterLabel} / </>}
              {agent.workload.namespace}
            </div>
          </div>
        </div>
        <div className="flex flex-wrap gap-1">
          {agent.attention.map((r) => (
            <Badge key={r} kind="bad">
              {r}
            </Badge>
          ))}
        </div>
      </div>
      {agent.problem && (
        <p data-testid="agent-problem" className="mt-2 rounded bg-red-50 px-2 py-1 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {agent.problem}
        </p>
      )}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4">
        <Field label="Pod">{pod ? <PodStatusBadge status={pod.status} ready={pod.ready} /> : '—'}</Field>
        <Field label="Restarts">{pod?.restarts ?? 0}</Field>
        <Field label="Age">
          <RelativeTime iso={pod?.createdAt ?? agent.workload.createdAt} />
        </Field>
        <Field label="Codex">{p?.codexVersion ?? '—'}</Field>
        <div className="col-span-2 min-w-0">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Login</dt>
          <dd className="mt-0.5" data-testid="login-state">
            <LoginBadge login={p?.login} />
          </dd>
        </div>
        <Field label="Approval">
          <span data-testid="approval-mode">
            <ApprovalBadge approval={p?.approval} />
          </span>
        </Field>
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
        <Field label="Images">
          <span data-testid="image-count">{p ? p.images.count : '—'}</span>
        </Field>
        <Field label="Last activity">
          <RelativeTime iso={p?.lastActivity} suffix=" ago" />
        </Field>
        <div className="col-span-2 min-w-0 sm:col-span-4">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">Delivery readiness</dt>
          <dd className="mt-0.5 min-w-0">
            <ReadinessBadge items={overviewItems(p, agent.problem, readiness)} />
          </dd>
        </div>
      </dl>
      {result && (
        <p className="mt-2">
          <BulkResult item={result} />
        </p>
      )}
      {factsObservedAt(agent) && (
        <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
          Codex facts checked <RelativeTime iso={factsObservedAt(agent)} suffix=" ago" />
        </p>
      )}
      {agent.probe && agent.probeFailure && (
        <p className="mt-1 text-xs text-amber-800 dark:text-amber-300" data-testid="probe-failure">
          The last check failed <RelativeTime iso={agent.probeFailure.at} suffix=" ago" />, so these facts may be out of date:{' '}
          {agent.probeFailure.message}
        </p>
      )}
      {p?.codexError && (
        <p className="mt-2 truncate text-xs text-red-700 dark:text-red-300" title={p.codexError}>
          Codex: {p.codexError}
        </p>
      )}
    </li>
  );
}
