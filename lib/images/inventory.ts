import 'server-only';
import { runPodProgram } from '../pod/run';
import { cannotRun } from '../pod/errors';
import { ClusterError } from '../k8s/errors';
import { requirePodAccess } from '../k8s/access';
import { getCluster } from '../k8s/clusters';
import { impersonationEnabled } from '../k8s/impersonation';
import { deliveryTarget, threadIdFromRolloutPath, type Rollout, type SenderContext } from '../codex/rollout';
import { agentPod, volumeKey, type AgentRef, type PodTarget } from './agent-pod';
import { InventoryReader, sessionVersionKey, type ImageEntry, type StrayEntry } from './inventory-output';
import { imageSettings } from './settings';
import { processState } from '../process-state';

export interface SessionInfo {
  /** Codex's thread id (the rollout's uuid, also the generated_images directory). */
  id: string;
  path: string;
  startedAt: string | null;
  /** The last OpenAB sender_context of the session. */
  sender: SenderContext | null;
  /** Where its images belong: the Discord thread, else the channel. */
  target: string | null;
  rollout: Rollout;
}

export interface AgentInventory {
  ref: AgentRef;
  home: string;
  /** Newest first. */
  images: ImageEntry[];
  strays: StrayEntry[];
  sessions: Map<string, SessionInfo>;
  marksText: string;
  readAt: number;
  /** Rollouts sent by the pod this time (the rest were known). */
  sessionsTransferred: number;
}

const inventories = processState('images.inventory.inventories', () => new Map<string, { at: number; value: AgentInventory }>());
const inFlight = processState('images.inventory.inFlight', () => new Map<string, Promise<AgentInventory>>());
/** Parsed rollouts per volume, keyed by `path|size|mtime`: a rollout is parsed once per version. */
const rollouts = processState('images.inventory.rollouts', () => new Map<string, Map<string, SessionInfo>>());

/**
 * What an agent's volume holds: images, stray files, sessions (reduced in the pod) and the
 * dashboard's delivery marks, all from ONE exec, reused for a short while.
 */
export function readInventory(ref: AgentRef, opts: { maxAgeMs?: number } = {}): Promise<AgentInventory> {
  // Shared between users: in impersonation mode only for those the cluster lets exec there.
  if (impersonationEnabled()) return requireImageAccess(ref).then(() => readInventoryShared(ref, opts));
  return readInventoryShared(ref, opts);
}

/** In impersonation mode: may this user read the agent's files (exec in its namespace)? */
export async function requireImageAccess(ref: AgentRef): Promise<void> {
  if (!impersonationEnabled()) return;
  await requirePodAccess(getCluster(ref.clusterId), ref.namespace);
}

function readInventoryShared(ref: AgentRef, opts: { maxAgeMs?: number }): Promise<AgentInventory> {
  const key = volumeKey(ref);
  const maxAge = opts.maxAgeMs ?? imageSettings().listCacheMs;
  const hit = inventories.get(key);
  if (hit && Date.now() - hit.at < maxAge) return Promise.resolve(hit.value);
  const running = inFlight.get(key);
  if (running) return running;
  const work = agentPod(ref)
    .then((target) => runInventory(target))
    .then((value) => {
      inventories.set(key, { at: Date.now(), value });
      return value;
    })
    .finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

/** Whether a listing of this agent is at hand (reading it needs no exec). */
export function inventoryIsFresh(ref: AgentRef, maxAgeMs = imageSettings().listCacheMs): boolean {
  const hit = inventories.get(volumeKey(ref));
  return !!hit && Date.now() - hit.at < maxAgeMs;
}

/** After the dashboard changed an agent's files (a delivery mark). */
export function invalidateInventory(ref: AgentRef): void {
  inventories.delete(volumeKey(ref));
}

/** Tests measure cold reads. */
export function resetInventoryCacheForTests(): void {
  inventories.clear();
  rollouts.clear();
}

async function runInventory(target: PodTarget): Promise<AgentInventory> {
  const key = volumeKey(target.ref);
  const known = rollouts.get(key) ?? new Map<string, SessionInfo>();
  const reader = new InventoryReader();
  const run = await runPodProgram(target, 'inventory', [], {
    input: JSON.stringify([...known.keys()]),
    nice: true,
    timeoutMs: imageSettings().execTimeoutMs,
    maxStdoutBytes: 512 * 1024 * 1024,
    stream: reader,
  });
  const out = reader.end();
  if (!out.complete) {
    const why = cannotRun(run, 'node')
      ? 'node is not installed in the agent container, so its images cannot be listed.'
      : `Listing the images ended early (exit ${run.exitCode}).`;
    throw new ClusterError(why, 'other');
  }
  const next = new Map<string, SessionInfo>();
  for (const file of out.sessions) {
    const version = sessionVersionKey(file);
    let info = file.rollout ? undefined : known.get(version);
    if (!info) {
      const rollout = file.rollout ?? { senderContexts: [], toolCalls: [], imageGenerations: [], skippedLines: 0 };
      const id = rollout.threadId ?? threadIdFromRolloutPath(file.path) ?? file.path;
      const last = rollout.senderContexts.at(-1)?.context ?? null;
      info = {
        id,
        path: file.path,
        startedAt: rollout.startedAt ?? null,
        sender: last,
        target: deliveryTarget(last ?? undefined) ?? null,
        rollout,
      };
    }
    next.set(version, info);
  }
  rollouts.set(key, next);
  const sessions = new Map<string, SessionInfo>();
  for (const info of next.values()) sessions.set(info.id, info);
  // A stable copy of an image still in generated_images is the same image: shown once.
  const generated = new Set(out.images.map((e) => e.name));
  const images = [...out.images, ...out.stableImages.filter((e) => !generated.has(e.name))].sort(
    (a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name),
  );
  return {
    ref: target.ref,
    home: out.home ?? '',
    images,
    strays: out.strays,
    sessions,
    marksText: out.marksText,
    readAt: Date.now(),
    sessionsTransferred: out.sessions.filter((s) => s.rollout).length,
  };
}
