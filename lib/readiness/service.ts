import 'server-only';
// Readiness of an agent, as far as the server must look: the pod (one exec, cached per pod),
// OpenAB's config (mounted in the pod, else its ConfigMap), and Discord (cached a minute).
// The probe-based items (image generation, approval) are computed from the probe the caller
// already has, so this adds no second probe.
import pLimit from 'p-limit';
import type * as k8s from '@kubernetes/client-node';
import { getClusters, withDeadline, type Cluster } from '../k8s/clusters';
import { runPodProgram } from '../pod/run';
import { cannotRun } from '../pod/errors';
import { activePod, getDeployment, listAgentWorkloads } from '../k8s/agents';
import { readSecretValue } from '../k8s/secrets';
import { ClusterError, toClusterError } from '../k8s/errors';
import { configuredBotToken } from '../discord/settings';
import { getSettings } from '../settings';
import { listSkills, type SkillEntry } from '../skills/list';
import { permissionsCheck, skillCheck, type ChannelReadiness, type ReadinessItem } from './checks';
import { checkChannelPermissions, type PermissionResult } from './discord-check';
import { readOpenabConfig, tokenPassing, type OpenabConfigFacts, type TokenVar } from './openab-config';
import { OPENAB_CONFIG_PATH, parsePodFacts, type PodFacts } from './pod-facts';
import { processState } from '../process-state';

/** How long the overview reuses a pod's facts: a pod's environment never changes, skills rarely do. */
export const OVERVIEW_POD_FACTS_MS = getSettings().readinessPodCacheMs;
const CONFIG_CACHE_MS = 60_000;
const TOKEN_CACHE_MS = 60_000;
const EXEC_TIMEOUT_MS = 15_000;
const ERROR_CACHE_MS = 5_000;

export interface ServerReadiness {
  /** upload-token, discord-permissions, delivery-skill. */
  items: ReadinessItem[];
  skills: SkillEntry[] | null;
  channels: ChannelReadiness[] | null;
  codexHome: string | null;
  /** When the pod's facts were read. */
  podCheckedAt: string | null;
}

export interface ReadinessTarget {
  cluster: Cluster;
  namespace: string;
  name: string;
  pod: { name: string; uid: string } | null;
  /** The Deployment when the caller has read it already (the agent page reads it once). */
  deployment?: k8s.V1Deployment;
  /** Why the pod cannot be read, when it cannot. */
  podProblem: string | null;
}

type Cached<T> = { at: number; value: Promise<T> };
const podFactsCache = processState('readiness.service.podFactsCache', () => new Map<string, Cached<PodFacts>>());
const configMapCache = processState('readiness.service.configMapCache', () => new Map<string, Cached<string | { error: string }>>());
const tokenCache = processState(
  'readiness.service.tokenCache',
  () => new Map<string, Cached<{ token: string; note?: string } | { error: string }>>(),
);

function cached<T>(map: Map<string, Cached<T>>, key: string, maxAgeMs: number, load: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.value;
  const value = load();
  map.set(key, { at: Date.now(), value });
  const forget = () => map.get(key)?.value === value && map.delete(key);
  // A refusal (e.g. RBAC not granted yet) is asked again soon, not a whole period later.
  value.then((v) => v && typeof v === 'object' && 'error' in v && setTimeout(forget, ERROR_CACHE_MS).unref?.(), forget);
  return value;
}

/** Forget a pod's facts (after installing a skill there). */
export function invalidatePodFacts(clusterId: string, podUid: string): void {
  podFactsCache.delete(`${clusterId}/${podUid}`);
}

export function resetReadinessCachesForTests(): void {
  podFactsCache.clear();
  configMapCache.clear();
  tokenCache.clear();
}

async function readPodFacts(target: ReadinessTarget & { pod: { name: string; uid: string } }): Promise<PodFacts> {
  const out = await runPodProgram(
    { cluster: target.cluster, namespace: target.namespace, pod: target.pod.name, container: getSettings().containerName },
    'pod-facts',
    [],
    {
      timeoutMs: EXEC_TIMEOUT_MS,
      maxStdoutBytes: 1024 * 1024,
    },
  );
  const facts = parsePodFacts(out.frames);
  if (!facts)
    throw new ClusterError(
      cannotRun(out)
        ? 'The container has no shell (sh) to check it.'
        : `The readiness check ended early in the pod (exit ${out.exitCode}).`,
      'other',
    );
  return facts;
}

/** The chart's ConfigMap `<deployment>`, key config.toml; needs `get configmaps`. */
function readConfigMap(cluster: Cluster, namespace: string, name: string): Promise<string | { error: string }> {
  return cached(configMapCache, `${cluster.id}/${namespace}/${name}`, CONFIG_CACHE_MS, async () => {
    try {
      const cm: k8s.V1ConfigMap = await withDeadline(
        cluster.core.readNamespacedConfigMap({ namespace, name }),
        10_000,
        `reading ConfigMap ${namespace}/${name}`,
      );
      const text = cm.data?.['config.toml'];
      return text ?? { error: `ConfigMap ${namespace}/${name} has no config.toml key.` };
    } catch (err) {
      const e = toClusterError(err, `reading ConfigMap ${namespace}/${name}`);
      if (e.kind === 'forbidden')
        return {
          error: `OpenAB's config is not mounted at ${OPENAB_CONFIG_PATH} in the pod, and the dashboard may not read ConfigMap ${namespace}/${name} (grant it get on configmaps).`,
        };
      if (e.kind === 'not-found')
        return {
          error: `OpenAB's config is not mounted at ${OPENAB_CONFIG_PATH} in the pod and ConfigMap ${namespace}/${name} does not exist.`,
        };
      return { error: e.message };
    }
  });
}

/**
 * The token the agent's upload script will use (DISCORD_FILE_BOT_TOKEN when the pod has it),
 * read where the Deployment takes it from; else the dashboard's own, said so.
 */
function agentUploadToken(target: ReadinessTarget, variable: TokenVar): Promise<{ token: string; note?: string } | { error: string }> {
  return cached(tokenCache, `${target.cluster.id}/${target.namespace}/${target.name}/${variable}`, TOKEN_CACHE_MS, async () => {
    let secret: { name: string; key: string } | null =
      variable === 'DISCORD_BOT_TOKEN' ? { name: target.name, key: 'discord-bot-token' } : null;
    try {
      const d = target.deployment ?? (await getDeployment(target.cluster, target.namespace, target.name));
      const env = d.spec?.template?.spec?.containers
        ?.find((c) => c.name === getSettings().containerName)
        ?.env?.find((e) => e.name === variable);
      if (env?.value) return { token: env.value };
      const ref = env?.valueFrom?.secretKeyRef;
      if (ref?.name && ref.key) secret = { name: ref.name, key: ref.key };
    } catch {
      // The chart's naming is the fallback.
    }
    if (secret) {
      try {
        const token = await readSecretValue(target.cluster, target.namespace, secret.name, secret.key);
        if (token) return { token };
      } catch {
        // Not readable by the dashboard: try its own token below.
      }
    }
    const own = configuredBotToken();
    if (own)
      return {
        token: own,
        note: `Checked with the dashboard's own bot token: the agent's ${variable} could not be read, and may belong to another bot.`,
      };
    return {
      error: `The dashboard cannot read the agent's ${variable} (Secret ${target.namespace}/${secret?.name ?? '?'}) and has no bot token of its own.`,
    };
  });
}

export async function serverReadiness(target: ReadinessTarget, opts: { podFactsMaxAgeMs: number }): Promise<ServerReadiness> {
  const unknownAll = (reason: string, fix?: string): ServerReadiness => ({
    items: [
      { id: 'upload-token', label: 'An upload token reaches Codex', status: 'unknown', reason, ...(fix ? { fix } : {}) },
      permissionsCheck({ status: 'unknown', reason, fix }),
      skillCheck(null, reason),
    ],
    skills: null,
    channels: null,
    codexHome: null,
    podCheckedAt: null,
  });
  if (!target.pod || target.podProblem)
    return unknownAll(target.podProblem ?? 'No running pod.', 'Wait for a running pod, or restart the agent.');
  const pod = target.pod;
  let facts: PodFacts;
  let podCheckedAt: string;
  try {
    const key = `${target.cluster.id}/${pod.uid}`;
    facts = await cached(podFactsCache, key, opts.podFactsMaxAgeMs, () => readPodFacts({ ...target, pod }));
    podCheckedAt = new Date(podFactsCache.get(key)?.at ?? Date.now()).toISOString();
  } catch (err) {
    return unknownAll(
      err instanceof ClusterError ? err.message : toClusterError(err, `checking ${target.namespace}/${target.name}`).message,
    );
  }

  const skills = listSkills(facts.skills);
  const configText = facts.openabConfig ?? (await readConfigMap(target.cluster, target.namespace, target.name));
  const config: { facts: OpenabConfigFacts } | { error: string } =
    typeof configText === 'string'
      ? (() => {
          const r = readOpenabConfig(configText);
          return r.ok ? { facts: r.facts } : { error: r.error };
        })()
      : configText;
  const source = facts.openabConfig !== null ? OPENAB_CONFIG_PATH : `ConfigMap ${target.namespace}/${target.name}`;

  let tokenItem: ReadinessItem;
  if ('error' in config) {
    const has = (['DISCORD_FILE_BOT_TOKEN', 'DISCORD_BOT_TOKEN'] as const).filter((v) => facts.tokenVars[v]);
    tokenItem = {
      id: 'upload-token',
      label: 'An upload token reaches Codex',
      status: has.length ? 'unknown' : 'fail',
      reason: has.length
        ? `The container has ${has.join(', ')}; whether OpenAB passes it on is unknown: ${config.error}`
        : 'The container has neither DISCORD_FILE_BOT_TOKEN nor DISCORD_BOT_TOKEN set.',
      fix: has.length
        ? 'Let the dashboard read the ConfigMap (get configmaps), or check [agent].env / inherit_env by hand.'
        : "Set the bot token in the agent's chart values.",
    };
  } else {
    const passing = tokenPassing(config.facts, facts.tokenVars);
    tokenItem = passing.reaches
      ? {
          id: 'upload-token',
          label: 'An upload token reaches Codex',
          status: 'pass',
          reason: `${passing.detail} (${source}), and the container has it set.`,
        }
      : { id: 'upload-token', label: 'An upload token reaches Codex', status: 'fail', reason: passing.reason, fix: passing.fix };
  }

  let permissions: PermissionResult;
  if ('error' in config) permissions = { status: 'unknown', reason: `The agent's channels are unknown: ${config.error}` };
  else if (config.facts.allowAllChannels && config.facts.allowedChannels.length === 0) {
    permissions = {
      status: 'unknown',
      reason: 'OpenAB answers in every channel (allow_all_channels), so there is no list of channels to check.',
    };
  } else {
    const variable: TokenVar = facts.tokenVars.DISCORD_FILE_BOT_TOKEN ? 'DISCORD_FILE_BOT_TOKEN' : 'DISCORD_BOT_TOKEN';
    const token = await agentUploadToken(target, variable);
    if ('error' in token)
      permissions = {
        status: 'unknown',
        reason: token.error,
        fix: "Grant the dashboard get on the agent's Secret, or give the dashboard a bot token.",
      };
    else {
      permissions = await checkChannelPermissions(token.token, config.facts.allowedChannels);
      if (permissions.status === 'ok' && token.note) permissions.note = token.note;
    }
  }

  return {
    items: [tokenItem, permissionsCheck(permissions), skillCheck(skills)],
    skills,
    channels: permissions.status === 'ok' ? permissions.channels : null,
    codexHome: facts.codexHome || null,
    podCheckedAt,
  };
}

export interface FleetReadiness {
  /** By agent key `cluster/namespace/name`. */
  agents: Record<string, ServerReadiness>;
  generatedAt: string;
}

const limit = pLimit(8);

/**
 * Readiness for the overview: one list of agents per cluster, then per agent the cached pod
 * facts (an exec only when they are older than OVERVIEW_POD_FACTS_MS) and cached Discord answers.
 */
export async function fleetReadiness(): Promise<FleetReadiness> {
  const { podProblem } = await import('../fleet/fleet');
  const agents: Record<string, ServerReadiness> = {};
  let clusters: Cluster[] = [];
  try {
    clusters = getClusters();
  } catch {
    return { agents, generatedAt: new Date().toISOString() };
  }
  await Promise.all(
    clusters.map(async (cluster) => {
      const workloads = await listAgentWorkloads(cluster).catch(() => []);
      await Promise.all(
        workloads.map((w) =>
          limit(async () => {
            const pod = activePod(w);
            agents[`${cluster.id}/${w.namespace}/${w.name}`] = await serverReadiness(
              {
                cluster,
                namespace: w.namespace,
                name: w.name,
                pod: pod ? { name: pod.name, uid: pod.uid } : null,
                podProblem: podProblem(w, pod),
              },
              { podFactsMaxAgeMs: OVERVIEW_POD_FACTS_MS },
            );
          }),
        ),
      );
    }),
  );
  return { agents, generatedAt: new Date().toISOString() };
}
