import type { FleetAgent } from '@/lib/fleet/fleet';
import { overallStatus } from '@/lib/readiness/checks';
import { overviewItems, type OverviewReadiness } from '@/components/readiness/readiness-badge';
import type { ApprovalFilter, LoginFilter, OverviewParams, ReadinessFilter, SortKey, StateFilter } from './overview-params';

export const STATE_LABELS: Record<StateFilter, string> = {
  all: 'All states',
  attention: 'Needs attention',
  'logged-in': 'Logged in',
  'not-logged-in': 'Not logged in',
  expired: 'Login expired',
  'crash-looping': 'Crash-looping',
  unreadable: 'Cannot be read',
};

export const APPROVAL_FILTER_LABELS: Record<ApprovalFilter, string> = {
  all: 'Any approval mode',
  manual: 'Manual',
  'auto-review': 'Auto-review',
  'full-access': 'Full access',
  custom: 'Custom',
  default: "Codex's default",
  guide: "Per OpenAB's guide (ignored or refused)",
};

export const LOGIN_FILTER_LABELS: Record<LoginFilter, string> = {
  all: 'Any login',
  chatgpt: 'ChatGPT (valid)',
  apikey: 'API key',
  expired: 'ChatGPT, expired',
  'not-logged-in': 'Not logged in',
  unreadable: 'auth.json unreadable',
};

export const READINESS_FILTER_LABELS: Record<ReadinessFilter, string> = {
  all: 'Any readiness',
  pass: 'Ready',
  fail: 'Failing a check',
  unknown: 'Unknown',
};

export const SORT_LABELS: Record<SortKey, string> = {
  attention: 'Needs attention first',
  name: 'Agent',
  namespace: 'Namespace',
  version: 'Codex version',
  login: 'Login',
  approval: 'Approval',
  'image-generation': 'Image generation',
  readiness: 'Readiness',
  activity: 'Last activity',
  images: 'Images',
  restarts: 'Restarts',
};

/** An agent's readiness in one word, or null while the first readiness answer is on its way. */
export function readinessOf(a: FleetAgent, readiness: Record<string, OverviewReadiness> | null): 'pass' | 'fail' | 'unknown' | null {
  const items = overviewItems(a.probe, a.problem, readiness?.[a.key]);
  return items ? overallStatus(items) : null;
}

/**
 * When the probe's facts were observed. The watch-fed probe keeper stamps `observedAt`; until
 * every probe carries it, the time of the probe itself says the same.
 */
export function factsObservedAt(a: FleetAgent): string | null {
  const probe = a.probe as (FleetAgent['probe'] & { observedAt?: string }) | null;
  return probe?.observedAt ?? probe?.probedAt ?? null;
}

function matchesApproval(a: FleetAgent, filter: ApprovalFilter): boolean {
  const approval = a.probe?.approval;
  if (filter === 'all') return true;
  if (!approval?.ok) return false;
  return filter === 'guide' ? Boolean(approval.guideMistake) : approval.mode === filter;
}

function matchesState(a: FleetAgent, state: StateFilter): boolean {
  const login = a.probe?.login;
  switch (state) {
    case 'all':
      return true;
    case 'attention':
      return a.attention.length > 0;
    case 'logged-in':
      return login?.kind === 'chatgpt' ? login.expiry !== 'expired' : login?.kind === 'apikey' || login?.kind === 'other';
    case 'not-logged-in':
      return login?.kind === 'not-logged-in';
    case 'expired':
      return login?.kind === 'chatgpt' && login.expiry === 'expired';
    case 'crash-looping':
      return a.workload.pods.some((p) => p.crashLooping);
    case 'unreadable':
      return Boolean(a.problem) || login?.kind === 'unreadable';
  }
}

function loginKind(a: FleetAgent): Exclude<LoginFilter, 'all'> | 'other' | 'unknown' {
  const login = a.probe?.login;
  if (!login) return 'unknown';
  if (login.kind === 'chatgpt') return login.expiry === 'expired' ? 'expired' : 'chatgpt';
  return login.kind;
}

/** Newest Codex first: versions compare by their numbers, not as text (0.99 < 0.121). */
export function byVersionDescending(x: string, y: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [a, b] = [parts(x), parts(y)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === undefined) return 1;
    if (b[i] === undefined) return -1;
    return typeof a[i] === 'number' && typeof b[i] === 'number'
      ? (b[i] as number) - (a[i] as number)
      : String(b[i]).localeCompare(String(a[i]));
  }
  return 0;
}

const LOGIN_ORDER = ['not-logged-in', 'expired', 'unreadable', 'unknown', 'other', 'apikey', 'chatgpt'];
const APPROVAL_ORDER = ['full-access', 'custom', 'default', 'manual', 'auto-review'];
const READINESS_ORDER = ['fail', 'unknown', 'pass'];

/** A value's place in its column's order; values the order does not know come after all it knows. */
function rankLast(order: string[], value: string | null | undefined): number {
  const i = value == null ? -1 : order.indexOf(value);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

/**
 * The sort of a column in its natural direction ("asc"): names A to Z, the newest version and
 * the latest activity first, the most images and restarts first, problems before the rest.
 */
function naturalOrder(sort: SortKey, readiness: Record<string, OverviewReadiness> | null) {
  return (x: FleetAgent, y: FleetAgent): number => {
    switch (sort) {
      case 'attention':
        return (y.attention.length > 0 ? 1 : 0) - (x.attention.length > 0 ? 1 : 0);
      case 'name':
        return x.workload.name.localeCompare(y.workload.name);
      case 'namespace':
        return x.workload.namespace.localeCompare(y.workload.namespace);
      case 'version': {
        const [a, b] = [x.probe?.codexVersion, y.probe?.codexVersion];
        return a && b ? byVersionDescending(a, b) : a ? -1 : b ? 1 : 0;
      }
      case 'login':
        return compareRanks(rankLast(LOGIN_ORDER, loginKind(x)), rankLast(LOGIN_ORDER, loginKind(y)));
      case 'approval': {
        const mode = (a: FleetAgent) => (a.probe?.approval.ok ? a.probe.approval.mode : null);
        return compareRanks(rankLast(APPROVAL_ORDER, mode(x)), rankLast(APPROVAL_ORDER, mode(y)));
      }
      case 'image-generation': {
        const on = (a: FleetAgent) => (a.probe?.imageGeneration == null ? 2 : a.probe.imageGeneration ? 0 : 1);
        return on(x) - on(y);
      }
      case 'readiness':
        return compareRanks(rankLast(READINESS_ORDER, readinessOf(x, readiness)), rankLast(READINESS_ORDER, readinessOf(y, readiness)));
      case 'activity':
        return (y.probe?.lastActivity ?? '').localeCompare(x.probe?.lastActivity ?? '');
      case 'images':
        return (y.probe?.images.count ?? -1) - (x.probe?.images.count ?? -1);
      case 'restarts':
        return restarts(y) - restarts(x);
    }
  };
}

const compareRanks = (a: number, b: number) => (a === b ? 0 : a < b ? -1 : 1);
const restarts = (a: FleetAgent) => a.pod?.restarts ?? a.workload.pods[0]?.restarts ?? 0;
const byNamespaceThenName = (x: FleetAgent, y: FleetAgent) =>
  x.workload.namespace.localeCompare(y.workload.namespace) || x.workload.name.localeCompare(y.workload.name);

/** The agents the view's filters keep, in its order (ties by namespace/name, so the order is stable). */
export function visibleAgents(agents: FleetAgent[], p: OverviewParams, readiness: Record<string, OverviewReadiness> | null): FleetAgent[] {
  const q = p.q.trim().toLowerCase();
  const order = naturalOrder(p.sort, readiness);
  const sign = p.dir === 'desc' ? -1 : 1;
  return agents
    .filter((a) => p.cluster === 'all' || a.clusterId === p.cluster)
    .filter((a) => p.namespace === 'all' || a.workload.namespace === p.namespace)
    .filter((a) => matchesState(a, p.state))
    .filter((a) => matchesApproval(a, p.approval))
    .filter((a) => p.login === 'all' || loginKind(a) === p.login)
    .filter((a) => p.readiness === 'all' || readinessOf(a, readiness) === p.readiness)
    .filter((a) => p.version === 'all' || a.probe?.codexVersion === p.version)
    .filter((a) => {
      if (!q) return true;
      const login = a.probe?.login;
      const email = login?.kind === 'chatgpt' ? (login.email ?? '') : '';
      return [a.workload.name, a.workload.namespace, a.clusterLabel, email, a.pod?.name ?? ''].some((s) => s.toLowerCase().includes(q));
    })
    .sort((x, y) => sign * order(x, y) || byNamespaceThenName(x, y));
}
