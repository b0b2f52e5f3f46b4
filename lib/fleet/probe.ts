import 'server-only';
import pLimit from 'p-limit';
import { runPodProgram } from '../pod/run';
import { cannotRun } from '../pod/errors';
import type { Cluster } from '../k8s/clusters';
import { ClusterError } from '../k8s/errors';
import { requirePodAccess } from '../k8s/access';
import { impersonationEnabled } from '../k8s/impersonation';
import { summarizeAuth, type AuthFacts, type LoginState } from '../codex/auth';
import { parseFeaturesList, type Feature } from '../codex/features';
import { readApprovalSettings } from '../codex/config';
import type { GuideMistake } from '../codex/approval-modes';
import { codexErrorMessage } from '../codex/cli-output';
import { getSettings } from '../settings';
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
}

interface CacheEntry {
  probe: AgentProbe;
  at: number;
}

const cache = new Map<string, CacheEntry>();
const inFlight = new Map<string, Promise<AgentProbe>>();
let limiter: ReturnType<typeof pLimit> | null = null;

export interface ProbeTarget {
  cluster: Cluster;
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

/**
 * The probe of one pod: cached for a few seconds per pod uid, shared between concurrent
 * callers, and cheap when the pod's files have not changed since the last probe.
 */
export function probeAgent(target: ProbeTarget, opts: { maxAgeMs?: number } = {}): Promise<AgentProbe> {
  // The cache is shared by everyone; in impersonation mode a cached probe (made with someone
  // else's rights) goes only to a user the cluster lets exec into the pod.
  if (impersonationEnabled()) return requirePodAccess(target.cluster, target.namespace, target.pod).then(() => probeShared(target, opts));
  return probeShared(target, opts);
}

function probeShared(target: ProbeTarget, opts: { maxAgeMs?: number }): Promise<AgentProbe> {
  const settings = getSettings();
  const key = `${target.cluster.id}/${target.podUid}`;
  const cached = cache.get(key);
  const maxAge = opts.maxAgeMs ?? settings.probeCacheMs;
  if (cached && Date.now() - cached.at < maxAge) return Promise.resolve(cached.probe);
  const running = inFlight.get(key);
  if (running) return running;
  limiter ??= pLimit(settings.probeConcurrency);
  const work = limiter(() => runProbe(target, cached?.probe ?? null))
    .then((probe) => {
      cache.set(key, { probe, at: Date.now() });
      return probe;
    })
    .finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

/** Forget what we know of a pod (after an action changed its files). */
export function invalidateProbe(clusterId: string, podUid: string): void {
  cache.delete(`${clusterId}/${podUid}`);
}

/** Empties the probe cache (tests measure cold probes). */
export function resetProbeCacheForTests(): void {
  cache.clear();
  limiter = null;
}

/** Drops cache entries of pods that no longer exist. */
export function pruneProbeCache(liveKeys: Set<string>): void {
  for (const key of cache.keys()) if (!liveKeys.has(key)) cache.delete(key);
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
  if (sections.unchanged && previous) return { ...previous, probedAt: new Date().toISOString() };
  return interpretProbe(sections, new Date());
}

export function interpretProbe(sections: ReturnType<typeof splitProbeOutput>, now: Date): AgentProbe {
  let facts: { auth?: AuthFacts; images?: { count: number; bytes: number }; lastActivityMs?: number | null; nodeMissing?: boolean } = {};
  try {
    facts = JSON.parse(sections.facts ?? '{}');
  } catch {
    facts = {};
  }
  const auth: AuthFacts = facts.auth ?? { present: true, hasTokens: false, parseError: facts.nodeMissing ? 'node is not installed in the container, so auth.json could not be read safely' : 'auth.json could not be read' };
  const configText = sections.config ?? '';
  const configPresent = configText !== 'missing';
  const approvalRead = readApprovalSettings(configPresent ? configText : '');
  const approval: ApprovalSummary = approvalRead.ok
    ? { ok: true, mode: approvalRead.mode, guideMistake: approvalRead.guideMistake, approvalPolicy: approvalRead.approvalPolicy, approvalsReviewer: approvalRead.approvalsReviewer, sandboxMode: approvalRead.sandboxMode }
    : { ok: false, error: approvalRead.error };
  const featuresOk = sections.featuresExit === 0;
  const codexMissing = sections.featuresExit === 127;
  const features = featuresOk ? parseFeaturesList(sections.features ?? '') : null;
  const codexError = featuresOk
    ? null
    : codexMissing
      ? 'Codex is not installed in this container (no `codex` on PATH).'
      : codexErrorMessage(sections.features ?? '') ?? `codex features list failed (exit ${sections.featuresExit}).`;
  return {
    fingerprint: sections.fingerprint,
    codexHome: sections.home ?? '',
    login: summarizeAuth(auth, now),
    configPresent,
    approval,
    features,
    codexError,
    codexMissing,
    imageGeneration: features?.find((f) => f.name === 'image_generation')?.enabled ?? null,
    images: facts.images ?? { count: 0, bytes: 0 },
    codexVersion: /(\d+\.\d+\.\d+[\w.-]*)/.exec(sections.version ?? '')?.[1] ?? null,
    lastActivity: facts.lastActivityMs ? new Date(facts.lastActivityMs).toISOString() : null,
    probedAt: now.toISOString(),
  };
}
