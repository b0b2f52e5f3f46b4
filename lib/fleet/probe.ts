import 'server-only';
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPodProgram } from '../pod/run';
import { cannotRun } from '../pod/errors';
import type { Cluster } from '../k8s/clusters';
import { ClusterError, toClusterError } from '../k8s/errors';
import { requirePodAccess } from '../k8s/access';
import { asDashboard, impersonationEnabled } from '../k8s/impersonation';
import { summarizeAuth, type AuthFacts, type LoginState } from '../codex/auth';
import { IMAGE_GENERATION_FEATURE, parseFeaturesList, type Feature } from '../codex/features';
import { readApprovalSettings } from '../codex/config';
import type { GuideMistake } from '../codex/approval-modes';
import { codexErrorMessage } from '../codex/cli-output';
import { getSettings } from '../settings';
import { processState } from '../process-state';
import { PROBE_NODE, splitProbeOutput } from './probe-script';

export type ApprovalSummary =
  | { ok: true; mode: string; guideMistake?: GuideMistake; approvalPolicy: unknown; approvalsReviewer?: string; sandboxMode?: string }
  | { ok: false; error: string };

/** What one probe learned about an agent. Holds no secret: tokens were reduced inside the pod. */
export interface AgentProbe {
  fingerprint: string;
  codexHome: string;
  login: LoginState;
  configPresent: boolean;
  approval: ApprovalSummary;
  features: Feature[] | null;
  /** Why the feature list could not be read: Codex's reason without any quoted source (codexErrorMessage). */
  codexError: string | null;
  codexMissing: boolean;
  imageGeneration: boolean | null;
  images: { count: number; bytes: number };
  codexVersion: string | null;
  lastActivity: string | null;
  probedAt: string;
  /** When these facts were last seen in the pod (a probe that found nothing changed renews it). */
  observedAt: string;
}

interface CacheEntry {
  probe: AgentProbe;
  at: number;
  /** What a read returns while no probe failed since: one object, not one per read. */
  known: KnownProbe;
}

interface Kept {
  target: ProbeTarget;
  /** Last read by anyone (a list of agents): kept warm, slowly. */
  lastReadAt: number;
  /** Last watched for someone not looking (the notifier): kept fresh, after those shown. */
  lastWatchedAt: number;
  /** Last shown to a person (an agent page, the overview's page in view): kept fresh, first. */
  lastShownAt: number;
}

/** One per process (lib/process-state.ts): an action's invalidation must reach the pages' and routes' reads. */
const state = processState('fleet.probe', () => ({
  cache: new Map<string, CacheEntry>(),
  inFlight: new Map<string, Promise<AgentProbe>>(),
  limiter: null as ReturnType<typeof pLimit> | null,
  /** Per cluster, when its next probe exec may start. */
  nextSlot: new Map<string, number>(),
  /** The agents kept warm, by pod key. */
  kept: new Map<string, Kept>(),
  ticker: null as NodeJS.Timeout | null,
  invalidatedAt: new Map<string, number>(),
  /** The last probe that failed, per pod, until one succeeds. */
  failures: new Map<string, ProbeFailure>(),
  /** Per cluster id, each pod's key by its uid (probeKey). */
  keys: new Map<string, Map<string, string>>(),
}));
const { cache, inFlight, nextSlot, kept, invalidatedAt, failures, keys } = state;

/** Kept as made (callers may keep it by identity): when, and why in plain words. */
export interface ProbeFailure {
  readonly at: string;
  readonly atMs: number;
  readonly message: string;
}

export interface ProbeTarget {
  cluster: Cluster;
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

/**
 * What is known of an agent's pod right now, without waiting for it. Nothing in it depends on
 * the time of the read (how old the facts are is `probe.observedAt`), so the same pod state gives
 * the same objects, and whoever derives views from them may keep those while they stay the same.
 */
export interface KnownProbe {
  probe: AgentProbe | null;
  /** The last probe since these facts failed (null: none failed). */
  lastFailure: ProbeFailure | null;
}

/**
 * The probe of one pod, for callers that need facts at least this fresh (actions, logins):
 * cached per pod uid, shared between concurrent callers, and cheap when the pod's files have
 * not changed since the last probe. Pages use readProbe, which never waits on a pod it knows.
 */
export function probeAgent(target: ProbeTarget, opts: { maxAgeMs?: number } = {}): Promise<AgentProbe> {
  // The cache is shared by everyone; in impersonation mode a cached probe (made with someone
  // else's rights) goes only to a user the cluster lets exec into the pod.
  if (impersonationEnabled()) return requirePodAccess(target.cluster, target.namespace, target.pod).then(() => probeShared(target, opts));
  return probeShared(target, opts);
}

function probeShared(target: ProbeTarget, opts: { maxAgeMs?: number }): Promise<AgentProbe> {
  const key = probeKey(target);
  const cached = cache.get(key);
  const maxAge = opts.maxAgeMs ?? getSettings().probeCacheMs;
  if (cached && Date.now() - cached.at < maxAge) return Promise.resolve(cached.probe);
  return refresh(target);
}

/**
 * Why a pod is read, which sets how fresh the keeper keeps it (see below): a person has it on
 * screen; something watches it for people not looking (the notifier); it is only in a list.
 */
export type ProbeAttention = 'shown' | 'watched' | 'listed';

/** One pod to read, and why. */
export interface ProbeRead {
  target: ProbeTarget;
  /** probeKey(target), made once by whoever keeps the target. */
  key: string;
  attention: ProbeAttention;
}

/**
 * What the dashboard knows of an agent's pod, at once: the last probe and its age. The agent is
 * kept warm from then on (see the keeper below). Only a pod never probed is waited for, and only
 * when `wait` is set; otherwise its first probe starts and the read returns without it.
 */
export async function readProbe(target: ProbeTarget, opts: { wait?: boolean; attention?: ProbeAttention } = {}): Promise<KnownProbe> {
  const [known] = await readProbes([{ target, key: probeKey(target), attention: opts.attention ?? 'shown' }], { wait: opts.wait ?? false });
  if (known instanceof Error) throw known;
  return known;
}

/**
 * readProbe for a whole fleet: the access checks (impersonation mode) are asked together, and a
 * pod already known is read without a promise of its own (a view of 500 agents is 500 lookups).
 * A read that fails (access refused, a waited-for first probe that failed) is an Error in its
 * place; the others stand. `wait` as a number waits that many ms at most for first probes.
 */
export async function readProbes(reads: readonly ProbeRead[], opts: { wait: boolean | number }): Promise<Array<KnownProbe | Error>> {
  const refused = impersonationEnabled()
    ? await Promise.all(
        reads.map(({ target }) =>
          requirePodAccess(target.cluster, target.namespace, target.pod).then(
            () => null,
            (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
          ),
        ),
      )
    : null;
  const now = Date.now();
  const wait = opts.wait !== false;
  let waiting = false;
  const known = reads.map((read, i) => {
    const k = refused?.[i] ?? knownNow(read, wait, now);
    if (k instanceof Promise) waiting = true;
    return k;
  });
  if (!waiting) return known as Array<KnownProbe | Error>;
  const settled: Array<KnownProbe | Error | undefined> = known.map((k) => (k instanceof Promise ? undefined : k));
  const all = Promise.all(
    known.map((k, i) =>
      k instanceof Promise
        ? k.then(
            (value) => (settled[i] = value),
            (err: unknown) => (settled[i] = err instanceof Error ? err : new Error(String(err))),
          )
        : k,
    ),
  );
  if (typeof opts.wait === 'number') {
    // The timer goes as soon as every probe is in: it must not outlive the read.
    const allIn = new AbortController();
    await Promise.race([all, sleep(opts.wait, undefined, { signal: allIn.signal }).catch(() => undefined)]);
    allIn.abort();
  } else await all;
  // Those still coming after a bounded wait read as not probed yet; their probes go on.
  return settled.map((k) => k ?? { probe: null, lastFailure: null });
}

/** What is known of one pod now; a promise only for a first probe that is waited for. */
function knownNow({ target, key, attention }: ProbeRead, wait: boolean, now: number): KnownProbe | Promise<KnownProbe> {
  keep(key, target, attention, now);
  const cached = cache.get(key);
  const failed = failures.get(key);
  const lastFailure = failed && failed.atMs > (cached?.at ?? 0) ? failed : null;
  if (cached) return lastFailure ? { probe: cached.probe, lastFailure } : cached.known;
  // Never probed, and the last try failed: say why; the keeper tries again in its own time.
  if (lastFailure && !wait) return { probe: null, lastFailure };
  const first = refresh(target);
  if (!wait) {
    first.catch(() => undefined);
    return { probe: null, lastFailure: null };
  }
  return first.then((probe) => ({ probe, lastFailure: null }));
}

/**
 * A pod's key (`cluster/pod uid`), the same string on every read: a string made anew is hashed
 * anew by each map it is looked up in, which was most of what a view of 500 agents cost.
 */
export function probeKey(target: ProbeTarget): string {
  let ofCluster = keys.get(target.cluster.id);
  if (!ofCluster) keys.set(target.cluster.id, (ofCluster = new Map()));
  let key = ofCluster.get(target.podUid);
  if (key === undefined) ofCluster.set(target.podUid, (key = `${target.cluster.id}/${target.podUid}`));
  return key;
}

/** One probe per pod at a time, within the concurrency bound and the per-cluster exec rate, made as the dashboard. */
function refresh(target: ProbeTarget): Promise<AgentProbe> {
  const key = probeKey(target);
  const running = inFlight.get(key);
  if (running) return running;
  state.limiter ??= pLimit(getSettings().probeConcurrency);
  let startedAt = Infinity;
  const work = state
    .limiter(async () => {
      await execSlot(target.cluster.id);
      startedAt = Date.now();
      return asDashboardIfImpersonating(() => runProbe(target, cache.get(key)?.probe ?? null));
    })
    .then(
      (probe) => {
        // A probe that began before an action changed the pod's files must not stand for them.
        if (startedAt > (invalidatedAt.get(key) ?? 0))
          cache.set(key, { probe, at: Date.parse(probe.observedAt), known: { probe, lastFailure: null } });
        failures.delete(key);
        return probe;
      },
      (err: unknown) => {
        const now = new Date();
        const message = toClusterError(err, `probing pod ${target.namespace}/${target.pod}`).message;
        failures.set(key, { at: now.toISOString(), atMs: now.getTime(), message });
        throw err;
      },
    )
    .finally(() => {
      if (inFlight.get(key) === work) inFlight.delete(key);
    });
  inFlight.set(key, work);
  return work;
}

/**
 * Probes are shared by everyone, so they are made with the dashboard's own rights; whoever
 * reads one was checked first (requirePodAccess).
 */
function asDashboardIfImpersonating<T>(fn: () => Promise<T>): Promise<T> {
  return impersonationEnabled() ? asDashboard(fn) : fn();
}

// ---- exec rate per cluster ------------------------------------------------------------

/** Waits for this cluster's next exec slot: at most PROBE_EXECS_PER_SECOND probe execs start per second. */
async function execSlot(clusterId: string): Promise<void> {
  const gap = 1000 / getSettings().probeExecsPerSecond;
  const now = Date.now();
  const at = Math.max(now, nextSlot.get(clusterId) ?? 0);
  nextSlot.set(clusterId, at + gap);
  if (at > now) await new Promise((r) => setTimeout(r, at - now));
}

// ---- the keeper ---------------------------------------------------------------------

/**
 * An agent shown to a person within this window is refreshed every PROBE_REFRESH_MS, before any
 * other; one watched (the notifier) within it as often when the exec budget leaves room; the
 * rest (listed only: the overview's other pages, the gallery's list) ten times slower. A fleet of
 * 500 needs more execs than PROBE_EXECS_PER_SECOND allows: the agents on screen must not wait
 * their turn behind the others.
 */
const LOOKED_AT_MS = 2 * 60_000;
/**
 * An agent nobody read for this long is forgotten, facts and all: in impersonation mode a fleet
 * view cannot tell a deleted pod from one the person may not see, so this is what lets it go.
 */
const FORGET_AFTER_MS = 30 * 60_000;
const TICK_MS = 1_000;

function keep(key: string, target: ProbeTarget, attention: ProbeAttention, now: number): void {
  let entry = kept.get(key);
  if (!entry) kept.set(key, (entry = { target, lastReadAt: now, lastWatchedAt: 0, lastShownAt: 0 }));
  entry.target = target;
  entry.lastReadAt = now;
  if (attention === 'shown') entry.lastShownAt = now;
  else if (attention === 'watched') entry.lastWatchedAt = now;
  if (!state.ticker) {
    state.ticker = setInterval(keepWarm, TICK_MS);
    state.ticker.unref?.();
  }
}

/** Starts the probes that are due, most overdue first; the exec rate and concurrency bounds pace them. */
function keepWarm(): void {
  const now = Date.now();
  const { probeRefreshMs, probeConcurrency } = getSettings();
  const candidates: DueCandidate[] = [];
  for (const [key, k] of kept) {
    if (now - k.lastReadAt > FORGET_AFTER_MS) {
      forget(key);
      continue;
    }
    if (inFlight.has(key)) continue;
    // Since the last try, failed or not: a pod that cannot be probed is retried at the same pace.
    candidates.push({ key, kept: k, lastTriedAt: Math.max(cache.get(key)?.at ?? 0, failures.get(key)?.atMs ?? 0) });
  }
  // Never queue more than can run: what is not started now is still due on the next tick.
  const room = Math.max(0, probeConcurrency - inFlight.size);
  for (const key of dueForRefresh(candidates, now, probeRefreshMs).slice(0, room)) refresh(kept.get(key)!.target).catch(() => undefined);
}

export interface DueCandidate {
  key: string;
  kept: Pick<Kept, 'lastShownAt' | 'lastWatchedAt'>;
  lastTriedAt: number;
}

/** The pods due a probe: those on someone's screen first, then the most overdue. */
export function dueForRefresh(candidates: readonly DueCandidate[], now: number, probeRefreshMs: number): string[] {
  const due: Array<{ key: string; shown: boolean; overdue: number }> = [];
  for (const { key, kept: k, lastTriedAt } of candidates) {
    const shown = now - k.lastShownAt < LOOKED_AT_MS;
    const every = shown || now - k.lastWatchedAt < LOOKED_AT_MS ? probeRefreshMs : probeRefreshMs * 10;
    const age = now - lastTriedAt;
    if (age >= every) due.push({ key, shown, overdue: age - every });
  }
  return due.sort((a, b) => Number(b.shown) - Number(a.shown) || b.overdue - a.overdue).map((d) => d.key);
}

/** Forget what we know of a pod (after an action changed its files). */
export function invalidateProbe(clusterId: string, podUid: string): void {
  const key = `${clusterId}/${podUid}`;
  cache.delete(key);
  // A probe under way may have read the files before the change: the next read starts anew.
  inFlight.delete(key);
  failures.delete(key);
  invalidatedAt.set(key, Date.now());
}

/** Empties the probe cache (tests measure cold probes). */
export function resetProbeCacheForTests(): void {
  cache.clear();
  kept.clear();
  invalidatedAt.clear();
  failures.clear();
  keys.clear();
  nextSlot.clear();
  state.limiter = null;
}

/** Drops what is known of every pod not in `liveKeys` (made from the complete lists of every cluster). */
export function pruneProbeCache(liveKeys: Set<string>): void {
  for (const key of new Set([...cache.keys(), ...kept.keys(), ...invalidatedAt.keys(), ...failures.keys()]))
    if (!liveKeys.has(key)) forget(key);
}

/** Everything known of one pod: its facts, its place in the keeper, its last failure. */
function forget(key: string): void {
  // Pod uids hold no slash; cluster ids (kubeconfig context names) may.
  const cut = key.lastIndexOf('/');
  keys.get(key.slice(0, cut))?.delete(key.slice(cut + 1));
  cache.delete(key);
  kept.delete(key);
  invalidatedAt.delete(key);
  failures.delete(key);
}

async function runProbe(target: ProbeTarget, previous: AgentProbe | null): Promise<AgentProbe> {
  const out = await runPodProgram(target, 'probe', [previous?.fingerprint ?? '', PROBE_NODE], {
    timeoutMs: getSettings().probeTimeoutMs,
    maxStdoutBytes: 2 * 1024 * 1024,
  });
  const sections = splitProbeOutput(out.frames);
  if (!sections.complete) {
    const why = cannotRun(out) ? 'The container has no shell (sh) to run the probe.' : `The probe ended early (exit ${out.exitCode}).`;
    throw new ClusterError(why, 'other');
  }
  if (sections.unchanged && previous) {
    const now = new Date().toISOString();
    return { ...previous, probedAt: now, observedAt: now };
  }
  return interpretProbe(sections, new Date());
}

export function interpretProbe(sections: ReturnType<typeof splitProbeOutput>, now: Date): AgentProbe {
  let facts: { auth?: AuthFacts; images?: { count: number; bytes: number }; lastActivityMs?: number | null; nodeMissing?: boolean } = {};
  try {
    facts = JSON.parse(sections.facts ?? '{}');
  } catch {
    facts = {};
  }
  const auth: AuthFacts = facts.auth ?? {
    present: true,
    hasTokens: false,
    parseError: facts.nodeMissing
      ? 'node is not installed in the container, so auth.json could not be read safely'
      : 'auth.json could not be read',
  };
  const configText = sections.config ?? '';
  const configPresent = configText !== 'missing';
  const approvalRead = readApprovalSettings(configPresent ? configText : '');
  const approval: ApprovalSummary = approvalRead.ok
    ? {
        ok: true,
        mode: approvalRead.mode,
        guideMistake: approvalRead.guideMistake,
        approvalPolicy: approvalRead.approvalPolicy,
        approvalsReviewer: approvalRead.approvalsReviewer,
        sandboxMode: approvalRead.sandboxMode,
      }
    : { ok: false, error: approvalRead.error };
  const featuresOk = sections.featuresExit === 0;
  const codexMissing = sections.featuresExit === 127;
  const features = featuresOk ? parseFeaturesList(sections.features ?? '') : null;
  const codexError = featuresOk
    ? null
    : codexMissing
      ? 'Codex is not installed in this container (no `codex` on PATH).'
      : (codexErrorMessage(sections.features ?? '') ?? `codex features list failed (exit ${sections.featuresExit}).`);
  return {
    fingerprint: sections.fingerprint,
    codexHome: sections.home ?? '',
    login: summarizeAuth(auth, now),
    configPresent,
    approval,
    features,
    codexError,
    codexMissing,
    imageGeneration: features?.find((f) => f.name === IMAGE_GENERATION_FEATURE)?.enabled ?? null,
    images: facts.images ?? { count: 0, bytes: 0 },
    codexVersion: /(\d+\.\d+\.\d+[\w.-]*)/.exec(sections.version ?? '')?.[1] ?? null,
    lastActivity: facts.lastActivityMs ? new Date(facts.lastActivityMs).toISOString() : null,
    probedAt: now.toISOString(),
    observedAt: now.toISOString(),
  };
}
