import 'server-only';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getClusters, type Cluster } from '../k8s/clusters';
import { activePod, listAgentWorkloads, type AgentWorkload, type PodSummary } from '../k8s/agents';
import { ClusterError, toClusterError } from '../k8s/errors';
import { getSettings } from '../settings';
import { IMAGE_GENERATION_FEATURE } from '../codex/features';
import {
  probeKey,
  pruneProbeCache,
  readProbes,
  type AgentProbe,
  type KnownProbe,
  type ProbeAttention,
  type ProbeFailure,
  type ProbeRead,
  type ProbeTarget,
} from './probe';
import { impersonationEnabled } from '../k8s/impersonation';
import { processState, sameObjects } from '../process-state';

export interface FleetAgent {
  /** `cluster/namespace/name`: stable across restarts. */
  key: string;
  clusterId: string;
  clusterLabel: string;
  workload: AgentWorkload;
  pod: PodSummary | null;
  /** The last facts seen in the pod; how old they are is `probe.observedAt`. */
  probe: AgentProbe | null;
  /** The last probe since the facts shown failed (the facts stand, older than they should be). */
  probeFailure: ProbeFailure | null;
  /** Why this agent could not be read, in plain words (the rest of the fleet still shows). */
  problem: string | null;
  attention: string[];
}

export interface FleetCluster {
  id: string;
  label: string;
  error: string | null;
}

export interface Fleet {
  clusters: FleetCluster[];
  agents: FleetAgent[];
  /** A configuration problem that stops every cluster (no kubeconfig, ...). */
  error: string | null;
  generatedAt: string;
}

/** Why an agent's pod cannot be probed, or null when it can. */
export function podProblem(workload: AgentWorkload, pod: PodSummary | null): string | null {
  if (workload.pods.length === 0)
    return workload.replicas === 0 ? 'Scaled to zero: no pod is running.' : 'No pod exists yet for this agent.';
  if (!pod) {
    const newest = workload.pods[0];
    if (newest.crashLooping) return `The pod is crash-looping (${newest.restarts} restarts): see its log from the previous container.`;
    if (newest.terminating) return 'The pod is terminating.';
    return `The pod is ${newest.status}, not running yet.`;
  }
  if (!pod.hasAgentContainer)
    return `The pod has no "${getSettings().containerName}" container, so the dashboard cannot read Codex's files.`;
  return null;
}

export function attentionReasons(agent: Pick<FleetAgent, 'workload' | 'pod' | 'probe' | 'problem'>): string[] {
  const reasons: string[] = [];
  if (agent.workload.pods.some((p) => p.crashLooping)) reasons.push('crash-looping');
  const login = agent.probe?.login;
  if (login?.kind === 'not-logged-in') reasons.push('not logged in');
  if (login?.kind === 'unreadable') reasons.push('auth.json unreadable');
  if (login && 'expiry' in login && login.expiry === 'expired') reasons.push('login expired');
  if (agent.probe?.codexError) reasons.push(agent.probe.codexMissing ? 'Codex missing' : 'Codex error');
  if (agent.problem && !reasons.length) reasons.push('unreadable');
  return reasons;
}

export interface FleetOptions {
  /**
   * Wait for the first probe of agents never probed before (default), or at most this many ms
   * (those still coming show as not checked yet). Agents probed before are never waited for:
   * they show what was last seen, with its age, while the keeper refreshes them.
   */
  waitForFirstProbes?: boolean | number;
  /**
   * Who reads, which sets how fresh the probe keeper keeps each agent (lib/fleet/probe.ts): a set
   * of keys (`cluster/namespace/name`) a person has on screen, the rest only listed; 'all' (a
   * person or a script reading every agent, the default); 'watched' (the notifier, for people not
   * looking: fresh too, after the agents on someone's screen); 'none' (only listed).
   */
  lookedAt?: 'all' | 'watched' | 'none' | ReadonlySet<string>;
}

async function clusterAgents(
  cluster: Cluster,
  opts: FleetOptions,
): Promise<{ agents: FleetAgent[]; workloads: AgentWorkload[] | null; error: string | null }> {
  let workloads: AgentWorkload[];
  try {
    workloads = await listAgentWorkloads(cluster);
  } catch (err) {
    return { agents: [], workloads: null, error: toClusterError(err, `listing agents in ${cluster.label}`).message };
  }
  const lookedAt = opts.lookedAt ?? 'all';
  const agents = await agentsOf(cluster, workloads, activePod, getSettings().containerName, {
    wait: opts.waitForFirstProbes ?? true,
    attention:
      lookedAt === 'all'
        ? () => 'shown'
        : lookedAt === 'watched'
          ? () => 'watched'
          : lookedAt === 'none'
            ? () => 'listed'
            : (w) => (lookedAt.has(agentKey(cluster, w)) ? 'shown' : 'listed'),
  });
  return { agents, workloads, error: null };
}

/**
 * One agent as the overview and the agent page show it: its workload and pod, what the probe
 * keeper knows of the pod (at once; with `wait`, a pod never probed is waited for), or why not.
 */
export async function fleetAgentOf(
  cluster: Cluster,
  workload: AgentWorkload,
  pod: PodSummary | null,
  container: string,
  opts: { wait: boolean; attention: ProbeAttention },
): Promise<FleetAgent> {
  const [agent] = await agentsOf(cluster, [workload], () => pod, container, { wait: opts.wait, attention: () => opts.attention });
  return agent;
}

/**
 * fleetAgentOf for many agents of one cluster, their probes read together (lib/fleet/probe.ts
 * readProbes). A view of 500 agents is this loop: what does not change while a workload and its
 * pod stay the same is made once (agentSlot), and the same facts give back the same agent.
 */
async function agentsOf(
  cluster: Cluster,
  workloads: readonly AgentWorkload[],
  podOf: (workload: AgentWorkload) => PodSummary | null,
  container: string,
  opts: { wait: boolean | number; attention: (workload: AgentWorkload) => ProbeAttention },
): Promise<FleetAgent[]> {
  const slots = workloads.map((workload) => agentSlot(cluster, workload, podOf(workload), container));
  const reads: ProbeRead[] = [];
  for (const slot of slots) if (slot.target) reads.push({ target: slot.target, key: slot.key, attention: opts.attention(slot.workload) });
  const known = await readProbes(reads, { wait: opts.wait });
  let next = 0;
  return slots.map((slot) => {
    if (!slot.target) return agentView(slot, NOTHING_KNOWN, slot.podIssue);
    const read = known[next++];
    if (read instanceof Error) {
      const problem = read instanceof ClusterError ? read.message : toClusterError(read, `reading agent ${slot.workload.name}`).message;
      return agentOf(cluster, slot.workload, slot.pod, NOTHING_KNOWN, problem);
    }
    // Nothing known yet and the first probe failed: that is why the agent cannot be read.
    return agentView(slot, read, !read.probe && read.lastFailure ? read.lastFailure.message : null);
  });
}

const NOTHING_KNOWN: KnownProbe = { probe: null, lastFailure: null };

/**
 * An agent's workload and pod, and what follows from them alone: why its pod cannot be probed,
 * or the probe target (one object while they stay the same), and the agent last made of them.
 */
interface AgentSlot {
  cluster: Cluster;
  workload: AgentWorkload;
  pod: PodSummary | null;
  container: string;
  podIssue: string | null;
  /** Null when the pod cannot be probed (podIssue says why). */
  target: ProbeTarget | null;
  /** The target's probeKey ('' without a target). */
  key: string;
  last: { probe: AgentProbe | null; failure: ProbeFailure | null; agent: FleetAgent } | null;
}

function agentSlot(cluster: Cluster, workload: AgentWorkload, pod: PodSummary | null, container: string): AgentSlot {
  const kept = agentSlots.get(workload);
  if (kept && kept.cluster === cluster && kept.pod === pod && kept.container === container) return kept;
  const podIssue = podProblem(workload, pod);
  const target = podIssue || !pod ? null : { cluster, namespace: workload.namespace, pod: pod.name, podUid: pod.uid, container };
  const slot: AgentSlot = { cluster, workload, pod, container, podIssue, target, key: target ? probeKey(target) : '', last: null };
  agentSlots.set(workload, slot);
  return slot;
}

/** The slot of each workload (lib/k8s/agents.ts keeps a workload while its Deployment and pods stay the same). */
const agentSlots = processState('fleet.agentSlots', () => new WeakMap<AgentWorkload, AgentSlot>());

/** The agent made of a slot and what is known of its pod: the same facts give the same agent. */
function agentView(slot: AgentSlot, known: KnownProbe, problem: string | null): FleetAgent {
  const last = slot.last;
  if (last && last.probe === known.probe && last.failure === known.lastFailure) return last.agent;
  const agent = agentOf(slot.cluster, slot.workload, slot.pod, known, problem);
  slot.last = { probe: known.probe, failure: known.lastFailure, agent };
  return agent;
}

const agentKey = (cluster: Cluster, workload: AgentWorkload) => `${cluster.id}/${workload.namespace}/${workload.name}`;

function agentOf(cluster: Cluster, workload: AgentWorkload, pod: PodSummary | null, known: KnownProbe, problem: string | null): FleetAgent {
  const agent: FleetAgent = {
    key: agentKey(cluster, workload),
    clusterId: cluster.id,
    clusterLabel: cluster.label,
    workload,
    pod,
    probe: known.probe,
    probeFailure: known.lastFailure,
    problem,
    attention: [],
  };
  agent.attention = attentionReasons(agent);
  return agent;
}

/** Every Codex agent of every configured cluster, each with its probe or its own error. */
export async function getFleet(opts: FleetOptions = {}): Promise<Fleet> {
  let clusters: Cluster[];
  try {
    clusters = getClusters();
  } catch (err) {
    return { clusters: [], agents: [], error: (err as Error).message, generatedAt: new Date().toISOString() };
  }
  const results = await Promise.all(clusters.map((c) => clusterAgents(c, opts)));
  // One cluster (the common case): its list as it is, not a copy of 500 agents per view.
  const agents = results.length === 1 ? results[0].agents : results.flatMap((r) => r.agents);
  pruneGonePods(results.map((r) => r.workloads));
  return {
    clusters: clusters.map((c, i) => ({ id: c.id, label: c.label, error: results[i].error })),
    agents,
    error: null,
    generatedAt: new Date().toISOString(),
  };
}

/**
 * Lets the probe keeper forget the pods that are gone, when the lists changed. Only from complete
 * lists: a cluster that failed to list, or (impersonation mode) a list cut to what one person may
 * see, would take other pods for gone; those are forgotten once nobody reads them (lib/fleet/probe.ts).
 */
function pruneGonePods(lists: Array<AgentWorkload[] | null>): void {
  if (impersonationEnabled() || lists.some((l) => !l)) return;
  if (sameObjects(pruned.lists, lists as object[])) return;
  pruned.lists = lists as object[];
  const live = new Set<string>();
  for (const list of lists as AgentWorkload[][])
    for (const w of list) {
      const pod = activePod(w);
      if (pod) live.add(`${w.clusterId}/${pod.uid}`);
    }
  pruneProbeCache(live);
}

/** The workload lists the probe cache was last pruned by (one per process). */
const pruned = processState('fleet.pruned', () => ({ lists: [] as object[] }));

// ---- a refresh that waits for a change ------------------------------------------------

/** How long a refresh that names the token it holds waits for a change before it answers anyway. */
export const FLEET_WAIT_MS = 25_000;
/** How often a waiting refresh looks again (from what the dashboard knows: no request, no exec). */
const FLEET_CHECK_MS = 1_000;
/** Refreshes waiting at once, per process; past this a refresh answers at once, as a plain poll would. */
const MAX_WAITING = 100;
const waiting = processState('fleet.waiting', () => ({ count: 0 }));

/**
 * The fleet, once it differs from what the token `after` stood for (see fleetToken), or after
 * `waitMs` either way; at once without a token. The overview keeps one such refresh open, so a
 * change the probe keeper finds on screen shows within a second of being found, not at the next poll.
 */
export async function fleetWhenChanged(
  opts: FleetOptions,
  after: string | null,
  signal: AbortSignal,
  waitMs = FLEET_WAIT_MS,
): Promise<{ fleet: Fleet; token: string }> {
  const onScreen = typeof opts.lookedAt === 'object' ? opts.lookedAt : 'all';
  let fleet = await getFleet(opts);
  let token = fleetToken(fleet, onScreen);
  if (!after || token !== after || waiting.count >= MAX_WAITING) return { fleet, token };
  waiting.count++;
  try {
    const until = Date.now() + waitMs;
    while (token === after && Date.now() < until && !signal.aborted) {
      await sleep(Math.min(FLEET_CHECK_MS, until - Date.now()), undefined, { signal }).catch(() => undefined);
      fleet = await getFleet(opts);
      token = fleetToken(fleet, onScreen);
    }
  } finally {
    waiting.count--;
  }
  return { fleet, token };
}

/**
 * What a person would see change on the overview, as a short token: every agent's key and
 * attention reasons (the counts and filters), and for the agents on screen their workload, pod
 * and what is known of the pod (its files' fingerprint, the last failure, the problem); the
 * errors. Not when the facts were last checked: on a large fleet that alone changes every second.
 */
export function fleetToken(fleet: Fleet, onScreen: 'all' | ReadonlySet<string>): string {
  const hash = createHash('sha256');
  hash.update(`${fleet.error ?? ''}\n`);
  for (const c of fleet.clusters) hash.update(`${c.id}\0${c.error ?? ''}\n`);
  for (const a of fleet.agents) {
    hash.update(`${a.key}\0${a.attention.join(',')}\n`);
    if (onScreen === 'all' || onScreen.has(a.key))
      hash.update(
        `${workloadText(a.workload)}\0${a.pod?.uid ?? ''}\0${a.probe?.fingerprint ?? ''}\0${a.probeFailure?.atMs ?? ''}\0${a.problem ?? ''}\n`,
      );
  }
  return hash.digest('base64url').slice(0, 22);
}

/** A workload as text, made once per summary (lib/k8s/agents.ts keeps them while nothing changed). */
function workloadText(workload: AgentWorkload): string {
  let text = workloadTexts.get(workload);
  if (text === undefined) workloadTexts.set(workload, (text = JSON.stringify(workload)));
  return text;
}
const workloadTexts = processState('fleet.workloadTexts', () => new WeakMap<AgentWorkload, string>());

/** The fleet as the overview's refresh sends it, with the token of what it shows (fleetWhenChanged). */
export interface OverviewFleet extends Fleet {
  token?: string;
}

/**
 * The fleet as the overview sends it to the browser: each probe's feature list cut to the one
 * switch the cards show. The full list (some 200 features per agent) is the agent page's; sent
 * for every agent on every refresh it was most of the overview's weight.
 */
export function overviewFleet(fleet: Fleet): Fleet {
  return {
    ...fleet,
    agents: fleet.agents.map((a) =>
      a.probe?.features
        ? { ...a, probe: { ...a.probe, features: a.probe.features.filter((f) => f.name === IMAGE_GENERATION_FEATURE) } }
        : a,
    ),
  };
}

export async function getFleetAgent(
  clusterId: string,
  namespace: string,
  name: string,
): Promise<{ agent: FleetAgent | null; error: string | null }> {
  const fleet = await getFleet();
  if (fleet.error) return { agent: null, error: fleet.error };
  const clusterError = fleet.clusters.find((c) => c.id === clusterId)?.error;
  if (clusterError) return { agent: null, error: clusterError };
  return {
    agent: fleet.agents.find((a) => a.clusterId === clusterId && a.workload.namespace === namespace && a.workload.name === name) ?? null,
    error: null,
  };
}
