// The parts of kube-controller-manager and the kubelet the dev cluster needs:
// Deployments own pods through a ReplicaSet-like template hash, roll out with
// Recreate semantics, and each running pod is a PodRuntime sandbox.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PodHandle, PodRuntime, PodSandboxSpec } from '../runtime/types';
import { ContainerLog, activityLines, crashLines, startupLines } from './logs';
import { podTemplateHash, randomSuffix } from './hash';
import { selectorFromObject } from './selectors';
import type { K8sObject, ObjectStore } from './store';
import { objectKey } from './store';

export const NODE_NAME = 'devcluster-node-1';
const HOST_IP = '10.0.0.10';

export interface ControllerOptions {
  store: ObjectStore;
  runtime: PodRuntime | null;
  /** Host directory of each PVC, keyed `namespace/claimName`. */
  volumes: Record<string, string>;
  /** Where empty volumes are made for claims the seed did not fill. */
  dataDir: string;
  podReadyDelayMs: number;
  podTerminationDelayMs: number;
  /** Mean time between new log lines of a running pod. */
  logIntervalMs?: number;
  crashLooping: Iterable<string>;
  log: (message: string) => void;
}

interface PodLife {
  key: string;
  namespace: string;
  name: string;
  /** `namespace/deployment` of the owner, if any. */
  owner?: string;
  handle?: PodHandle;
  nextLogAt: number;
  startAttempts: number;
  starting?: Promise<void>;
  timers: Set<NodeJS.Timeout>;
  logs: Map<string, ContainerLog>;
  crashLoop: boolean;
  gone: boolean;
  /** Resolves once the pod left Pending (running, crash-looping or failed to start). */
  settled: Promise<void>;
  settle: () => void;
}

interface RolloutState {
  hash: string;
  /** Last time the rollout made progress (for progressDeadlineSeconds). */
  progressAt: number;
  reason: 'NewReplicaSetCreated' | 'ReplicaSetUpdated' | 'NewReplicaSetAvailable' | 'FoundNewReplicaSet';
  lastCounts: string;
}

/** Sandboxes started at once; more only contend for the two CPUs and slow every start. */
const START_CONCURRENCY = 8;

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class ClusterController {
  private readonly pods = new Map<string, PodLife>();
  private readonly rollouts = new Map<string, RolloutState>();
  private readonly crashLooping: Set<string>;
  private readonly pending = new Set<string>();
  private flushScheduled = false;
  private readonly tick: NodeJS.Timeout;
  private podIpCounter = 2;
  private stopped = false;
  private starting = 0;
  private readonly startQueue: Array<() => void> = [];

  private async withStartSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.starting >= START_CONCURRENCY) await new Promise<void>((r) => this.startQueue.push(r));
    this.starting++;
    try {
      return await fn();
    } finally {
      this.starting--;
      this.startQueue.shift()?.();
    }
  }

  constructor(private readonly o: ControllerOptions) {
    this.crashLooping = new Set(o.crashLooping);
    this.tick = setInterval(() => this.onTick(), 250);
    this.tick.unref();
  }

  // ---- deployments ------------------------------------------------------

  /** Called after a Deployment is created or changed. */
  deploymentChanged(namespace: string, name: string): void {
    this.pending.add(objectKey(namespace, name));
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const keys = [...this.pending];
      this.pending.clear();
      for (const k of keys) {
        const [ns, n] = k.split('/');
        this.reconcile(ns, n);
      }
    });
  }

  deploymentDeleted(namespace: string, name: string): void {
    this.rollouts.delete(objectKey(namespace, name));
    for (const rs of this.o.store.list('replicasets', namespace)) {
      if (rs.metadata.ownerReferences?.[0]?.name === name) this.o.store.remove('replicasets', namespace, rs.metadata.name);
    }
    for (const life of this.pods.values()) {
      if (life.owner === objectKey(namespace, name)) this.deletePod(life.namespace, life.name, 0);
    }
  }

  setCrashLoop(namespace: string, deployment: string, on: boolean): void {
    const key = objectKey(namespace, deployment);
    if (on) this.crashLooping.add(key);
    else this.crashLooping.delete(key);
    // Like a broken image or config: the current pods are replaced by ones that behave accordingly.
    for (const life of this.pods.values()) if (life.owner === key) this.deletePod(life.namespace, life.name, 0);
    this.deploymentChanged(namespace, deployment);
  }

  private ownedPods(dep: K8sObject): K8sObject[] {
    const key = objectKey(dep.metadata.namespace, dep.metadata.name);
    const selector = selectorFromObject(dep.spec?.selector);
    return this.o.store.list('pods', dep.metadata.namespace).filter((p) => {
      const life = this.pods.get(objectKey(p.metadata.namespace, p.metadata.name));
      return life?.owner === key && selector(p.metadata.labels);
    });
  }

  private reconcile(namespace: string, name: string): void {
    if (this.stopped) return;
    const dep = this.o.store.get('deployments', namespace, name);
    if (!dep) return;
    const key = objectKey(namespace, name);
    const hash = podTemplateHash(dep.spec.template);
    const replicas = dep.spec.replicas ?? 1;
    let state = this.rollouts.get(key);
    if (!state || state.hash !== hash) {
      const created = !state || this.ownedPods(dep).every((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
      state = { hash, progressAt: Date.now(), reason: created ? 'NewReplicaSetCreated' : 'FoundNewReplicaSet', lastCounts: '' };
      this.rollouts.set(key, state);
    }
    const pods = this.ownedPods(dep);
    const isNew = (p: K8sObject) => p.metadata.labels?.['pod-template-hash'] === hash;
    const active = pods.filter((p) => !p.metadata.deletionTimestamp);
    const oldActive = active.filter((p) => !isNew(p));
    const oldAll = pods.filter((p) => !isNew(p));
    const newActive = active.filter(isNew);

    // Recreate: every old pod goes first. RollingUpdate is played the same way here
    // (one replica per agent, so the difference is only the brief overlap).
    if (oldActive.length > 0) {
      const oldHash = oldActive[0].metadata.labels?.['pod-template-hash'];
      this.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${name}-${oldHash} from ${oldActive.length} to 0`);
      for (const p of oldActive) this.deletePod(namespace, p.metadata.name, undefined);
    }
    if (oldAll.length === 0) {
      if (newActive.length < replicas) {
        const from = newActive.length;
        for (let i = newActive.length; i < replicas; i++) this.createPodFor(dep, hash);
        this.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name}-${hash} from ${from} to ${replicas}`);
      } else if (newActive.length > replicas) {
        const extra = [...newActive].sort((a, b) => Number(isReady(a)) - Number(isReady(b))).slice(0, newActive.length - replicas);
        this.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${name}-${hash} from ${newActive.length} to ${replicas}`);
        for (const p of extra) this.deletePod(namespace, p.metadata.name, undefined);
      }
    }
    this.updateDeploymentStatus(dep, hash, state);
  }

  /**
   * The ReplicaSet a pod template maps to, kept as a read-only object so kubectl
   * describe and rollout history find what they expect.
   */
  private ensureReplicaSet(dep: K8sObject, hash: string): K8sObject {
    const ns = dep.metadata.namespace;
    const name = `${dep.metadata.name}-${hash}`;
    const revision = dep.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1';
    const existing = this.o.store.get('replicasets', ns, name);
    if (existing) {
      if (existing.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
        existing.metadata.annotations = { ...(existing.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': revision };
        this.o.store.update('replicasets', existing);
      }
      return existing;
    }
    const template = structuredClone(dep.spec.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    const rs: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: ns,
        labels: template.metadata.labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(dep.spec.replicas ?? 1),
          'deployment.kubernetes.io/max-replicas': String(dep.spec.replicas ?? 1),
          'deployment.kubernetes.io/revision': revision,
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: dep.metadata.name,
            uid: dep.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        generation: 1,
      },
      spec: {
        replicas: dep.spec.replicas ?? 1,
        selector: { ...(dep.spec.selector ?? {}), matchLabels: { ...(dep.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
        template,
      },
      status: { replicas: 0, observedGeneration: 1 },
    };
    return this.o.store.create('replicasets', rs);
  }

  private updateReplicaSets(dep: K8sObject, hash: string): void {
    const ns = dep.metadata.namespace;
    const pods = this.ownedPods(dep).filter((p) => !p.metadata.deletionTimestamp);
    const mine = this.o.store.list('replicasets', ns).filter((rs) => rs.metadata.ownerReferences?.[0]?.uid === dep.metadata.uid);
    for (const rs of mine) {
      const h = rs.metadata.labels?.['pod-template-hash'];
      const own = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === h);
      const ready = own.filter(isReady).length;
      const wanted = h === hash ? (dep.spec.replicas ?? 1) : 0;
      const status: K8sObject = {
        replicas: own.length,
        fullyLabeledReplicas: own.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      };
      for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (status[k] === 0) delete status[k];
      if (rs.spec.replicas === wanted && JSON.stringify(rs.status) === JSON.stringify(status)) continue;
      if (rs.spec.replicas !== wanted) rs.metadata.generation = (rs.metadata.generation ?? 1) + 1;
      rs.spec.replicas = wanted;
      status.observedGeneration = rs.metadata.generation;
      rs.status = status;
      this.o.store.update('replicasets', rs);
    }
    // revisionHistoryLimit: the oldest scaled-down ReplicaSets go.
    const limit = dep.spec.revisionHistoryLimit ?? 10;
    const old = mine
      .filter((rs) => rs.metadata.labels?.['pod-template-hash'] !== hash && rs.spec.replicas === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort(
        (a, b) =>
          Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) -
          Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
      );
    for (const rs of old.slice(0, Math.max(old.length - limit, 0))) this.o.store.remove('replicasets', ns, rs.metadata.name);
  }

  private updateDeploymentStatus(dep: K8sObject, hash: string, state: RolloutState): void {
    this.updateReplicaSets(dep, hash);
    const pods = this.ownedPods(dep).filter((p) => !p.metadata.deletionTimestamp);
    const replicas = dep.spec.replicas ?? 1;
    const updated = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    const ready = pods.filter(isReady);
    const available = ready;
    const oldRemaining = this.ownedPods(dep).some((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
    const rsName = `${dep.metadata.name}-${hash}`;
    const counts = `${pods.length}/${updated.length}/${ready.length}`;
    const complete = !oldRemaining && updated.length === replicas && available.length >= replicas && pods.length === replicas;
    if (counts !== state.lastCounts) {
      // The first sync after the new ReplicaSet appears reports its creation; later progress, an update.
      if (!complete && state.lastCounts !== '') state.reason = 'ReplicaSetUpdated';
      state.lastCounts = counts;
      state.progressAt = Date.now();
    }
    if (complete) state.reason = 'NewReplicaSetAvailable';

    const maxUnavailable =
      dep.spec.strategy?.type === 'RollingUpdate'
        ? resolvePercent(dep.spec.strategy.rollingUpdate?.maxUnavailable ?? '25%', replicas, false)
        : 0;
    const availableOk = available.length >= replicas - maxUnavailable;
    const deadlineS = dep.spec.progressDeadlineSeconds ?? 600;
    const timedOut = !complete && Date.now() - state.progressAt > deadlineS * 1000;

    const prev: K8sObject[] = dep.status?.conditions ?? [];
    const cond = (type: string, status: string, reason: string, message: string) => {
      const old = prev.find((c) => c.type === type);
      const t = now();
      if (old && old.status === status && old.reason === reason && old.message === message) return old;
      return {
        type,
        status,
        lastUpdateTime: t,
        lastTransitionTime: old && old.status === status ? old.lastTransitionTime : t,
        reason,
        message,
      };
    };
    const available_ = availableOk
      ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
    let progressing: K8sObject;
    if (timedOut)
      progressing = cond('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`);
    else if (state.reason === 'NewReplicaSetAvailable')
      progressing = cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`);
    else if (state.reason === 'NewReplicaSetCreated')
      progressing = cond('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`);
    else progressing = cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);

    const status: K8sObject = {
      observedGeneration: dep.metadata.generation,
      replicas: pods.length,
      updatedReplicas: updated.length,
      readyReplicas: ready.length,
      availableReplicas: available.length,
      unavailableReplicas: Math.max(replicas - available.length, 0),
      conditions: [available_, progressing],
    };
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const)
      if (status[k] === 0) delete status[k];
    if (JSON.stringify(status) === JSON.stringify(dep.status ?? {})) return;
    dep.status = status;
    this.o.store.update('deployments', dep);
  }

  // ---- pods -------------------------------------------------------------

  private createPodFor(dep: K8sObject, hash: string): void {
    const t = dep.spec.template ?? {};
    const rsName = `${dep.metadata.name}-${hash}`;
    const rs = this.ensureReplicaSet(dep, hash);
    let name = `${rsName}-${randomSuffix()}`;
    while (this.o.store.get('pods', dep.metadata.namespace, name)) name = `${rsName}-${randomSuffix()}`;
    const pod: K8sObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${rsName}-`,
        namespace: dep.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), 'pod-template-hash': hash },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: structuredClone(t.spec ?? {}),
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
    this.o.store.create('pods', pod);
    this.podCreated(pod, objectKey(dep.metadata.namespace, dep.metadata.name));
  }

  /** Starts the lifecycle of a pod just stored (by the controller or by a client). */
  podCreated(pod: K8sObject, owner?: string): void {
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    const life: PodLife = {
      key,
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      owner,
      timers: new Set(),
      logs: new Map(),
      crashLoop: owner ? this.crashLooping.has(owner) : false,
      nextLogAt: 0,
      startAttempts: 0,
      gone: false,
      settled,
      settle,
    };
    for (const c of pod.spec.containers ?? []) life.logs.set(c.name, new ContainerLog());
    this.pods.set(key, life);
    this.later(life, 30, () => this.schedule(life));
  }

  private later(life: PodLife, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      life.timers.delete(t);
      if (!life.gone && !this.stopped) fn();
    }, ms);
    life.timers.add(t);
  }

  private live(life: PodLife): K8sObject | undefined {
    return this.o.store.get('pods', life.namespace, life.name);
  }

  private touch(life: PodLife, pod: K8sObject): void {
    this.o.store.update('pods', pod);
    if (life.owner) {
      const [ns, n] = life.owner.split('/');
      this.deploymentChanged(ns, n);
    }
  }

  private schedule(life: PodLife): void {
    const pod = this.live(life);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const t = now();
    pod.spec.nodeName = NODE_NAME;
    pod.status = {
      phase: 'Pending',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null, lastTransitionTime: t },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        {
          type: 'Ready',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: t,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${containerNames(pod).join(' ')}]`,
        },
        {
          type: 'ContainersReady',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: t,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${containerNames(pod).join(' ')}]`,
        },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      ],
      hostIP: HOST_IP,
      hostIPs: [{ ip: HOST_IP }],
      startTime: t,
      qosClass: 'BestEffort',
      containerStatuses: (pod.spec.containers ?? []).map((c: K8sObject) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      })),
    };
    this.touch(life, pod);
    this.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`);
    this.later(life, 20, () => void this.startContainers(life));
  }

  private resolveEnv(pod: K8sObject, container: K8sObject): { env: Record<string, string>; error?: string } {
    const env: Record<string, string> = {};
    const ns = pod.metadata.namespace;
    const dataOf = (kind: 'secrets' | 'configmaps', name: string): Record<string, string> | undefined => {
      const o = this.o.store.get(kind, ns, name);
      if (!o) return undefined;
      if (kind === 'configmaps') return o.data ?? {};
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
      for (const [k, v] of Object.entries(o.stringData ?? {})) out[k] = String(v);
      return out;
    };
    for (const from of container.envFrom ?? []) {
      const ref = from.secretRef
        ? { kind: 'secrets' as const, r: from.secretRef }
        : from.configMapRef
          ? { kind: 'configmaps' as const, r: from.configMapRef }
          : null;
      if (!ref) continue;
      const data = dataOf(ref.kind, ref.r.name);
      if (!data) {
        if (ref.r.optional) continue;
        return { env, error: `${ref.kind === 'secrets' ? 'secret' : 'configmap'} "${ref.r.name}" not found` };
      }
      for (const [k, v] of Object.entries(data)) env[(from.prefix ?? '') + k] = v;
    }
    for (const e of container.env ?? []) {
      if (e.value !== undefined) {
        env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => env[v] ?? m);
        continue;
      }
      const vf = e.valueFrom ?? {};
      if (vf.secretKeyRef || vf.configMapKeyRef) {
        const kind = vf.secretKeyRef ? 'secrets' : 'configmaps';
        const ref = vf.secretKeyRef ?? vf.configMapKeyRef;
        const data = dataOf(kind, ref.name);
        if (!data) {
          if (ref.optional) continue;
          return { env, error: `${kind === 'secrets' ? 'secret' : 'configmap'} "${ref.name}" not found` };
        }
        if (!(ref.key in data)) {
          if (ref.optional) continue;
          return { env, error: `couldn't find key ${ref.key} in ${kind === 'secrets' ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}` };
        }
        env[e.name] = data[ref.key];
      } else if (vf.fieldRef) {
        const fp: string = vf.fieldRef.fieldPath;
        const v =
          fp === 'metadata.name'
            ? pod.metadata.name
            : fp === 'metadata.namespace'
              ? ns
              : fp === 'status.podIP'
                ? pod.status?.podIP
                : fp === 'spec.nodeName'
                  ? NODE_NAME
                  : undefined;
        if (v !== undefined) env[e.name] = v;
      } else env[e.name] = '';
    }
    return { env };
  }

  /** The host directory for the volume mounted at the container's home. */
  private volumeDirFor(pod: K8sObject, container: K8sObject, homeDir: string): string {
    const ns = pod.metadata.namespace;
    const mount = (container.volumeMounts ?? []).find((m: K8sObject) => m.mountPath === homeDir);
    const volumes: K8sObject[] = pod.spec.volumes ?? [];
    const vol = (mount && volumes.find((v) => v.name === mount.name)) ?? volumes.find((v) => v.persistentVolumeClaim);
    const claim: string | undefined = vol?.persistentVolumeClaim?.claimName;
    const key = claim ? `${ns}/${claim}` : `${ns}/pod-${pod.metadata.name}`;
    let dir = this.o.volumes[key];
    if (!dir) {
      dir = path.join(this.o.dataDir, 'volumes', ns, claim ?? `pod-${pod.metadata.name}`);
      mkdirSync(dir, { recursive: true });
      if (claim) this.o.volumes[key] = dir;
    }
    return dir;
  }

  private async startContainers(life: PodLife): Promise<void> {
    const pod = this.live(life);
    if (!pod || pod.metadata.deletionTimestamp) return life.settle();
    const container = mainContainer(pod);
    if (!container) return life.settle();
    const { env, error } = this.resolveEnv(pod, container);
    if (error) {
      for (const cs of pod.status.containerStatuses ?? []) cs.state = { waiting: { reason: 'CreateContainerConfigError', message: error } };
      this.touch(life, pod);
      this.event(pod, 'Warning', 'Failed', `Error: ${error}`);
      life.settle();
      this.later(life, 2000, () => void this.startContainers(life));
      return;
    }
    this.event(pod, 'Normal', 'Pulled', `Container image "${container.image}" already present on machine`);
    if (life.crashLoop) {
      this.runCrashCycle(life);
      return;
    }
    const homeDir = env.HOME || container.workingDir || '/home/node';
    if (!env.HOME) env.HOME = homeDir;
    const spec: PodSandboxSpec = {
      namespace: life.namespace,
      name: life.name,
      volumeDir: this.volumeDirFor(pod, container, homeDir),
      homeDir,
      containerName: container.name,
      image: container.image,
      env,
    };
    try {
      if (!this.o.runtime) throw new Error('no pod runtime');
      const runtime = this.o.runtime;
      const handle = await this.withStartSlot(() => runtime.start(spec));
      if (life.gone || this.stopped) {
        await handle.stop();
        return life.settle();
      }
      life.handle = handle;
    } catch (err) {
      const message = String((err as Error).message ?? err);
      const p = this.live(life);
      if (p) {
        for (const cs of p.status.containerStatuses ?? []) cs.state = { waiting: { reason: 'RunContainerError', message } };
        this.touch(life, p);
        this.event(p, 'Warning', 'Failed', `Error: ${message}`);
      }
      life.startAttempts++;
      this.o.log(`pod ${life.key} failed to start (attempt ${life.startAttempts}): ${message}`);
      // The kubelet retries a container that failed to start, backing off.
      if (life.startAttempts >= 5) life.settle();
      this.later(life, Math.min(250 * 2 ** life.startAttempts, 10_000), () => void this.startContainers(life));
      return;
    }
    const running = this.live(life);
    if (!running || running.metadata.deletionTimestamp) return life.settle();
    this.markRunning(life, running);
    this.event(running, 'Normal', 'Created', `Created container: ${container.name}`);
    this.event(running, 'Normal', 'Started', `Started container ${container.name}`);
    const log = life.logs.get(container.name);
    // Backdated slightly so no line carries a time in the future.
    const at = Date.now() - 2000;
    for (const l of startupLines(at, life.name)) log?.append(l.text, l.at);
    for (const l of activityLines(at + 500, 'session')) log?.append(l.text, l.at);
    life.settle();
    this.later(life, this.o.podReadyDelayMs, () => this.markReady(life));
  }

  private markRunning(life: PodLife, pod: K8sObject): void {
    const t = now();
    pod.status.phase = 'Running';
    pod.status.podIP ??= `10.244.0.${(this.podIpCounter++ % 250) + 2}`;
    pod.status.podIPs = [{ ip: pod.status.podIP }];
    setCondition(pod, 'PodReadyToStartContainers', 'True', t);
    for (const cs of pod.status.containerStatuses ?? []) {
      cs.state = { running: { startedAt: t } };
      cs.started = true;
      cs.ready = false;
      cs.imageID = `docker.io/library/${String(cs.image).split(':')[0]}@sha256:${'0'.repeat(64)}`;
      cs.containerID = `containerd://${randomSuffix(12)}${randomSuffix(12)}`;
    }
    this.touch(life, pod);
  }

  private markReady(life: PodLife): void {
    const pod = this.live(life);
    if (!pod || pod.metadata.deletionTimestamp || pod.status.phase !== 'Running') return;
    const t = now();
    for (const cs of pod.status.containerStatuses ?? []) if (cs.state?.running) cs.ready = true;
    if ((pod.status.containerStatuses ?? []).every((cs: K8sObject) => cs.ready)) {
      setCondition(pod, 'ContainersReady', 'True', t);
      setCondition(pod, 'Ready', 'True', t);
    }
    this.touch(life, pod);
  }

  /** One crash: start, print a config error, exit 1, back off, repeat with a growing restart count. */
  private runCrashCycle(life: PodLife): void {
    const pod = this.live(life);
    if (!pod || pod.metadata.deletionTimestamp) return life.settle();
    const container = mainContainer(pod);
    this.markRunning(life, pod);
    this.event(pod, 'Normal', 'Created', `Created container: ${container?.name}`);
    this.event(pod, 'Normal', 'Started', `Started container ${container?.name}`);
    const log = life.logs.get(container?.name ?? '');
    for (const l of crashLines(Date.now(), life.name)) log?.append(l.text, Math.min(l.at, Date.now()));
    life.settle();
    this.later(life, 800, () => {
      const p = this.live(life);
      if (!p || p.metadata.deletionTimestamp) return;
      const t = now();
      let restarts = 0;
      for (const cs of p.status.containerStatuses ?? []) {
        const startedAt = cs.state?.running?.startedAt ?? t;
        cs.restartCount = (cs.restartCount ?? 0) + 1;
        restarts = cs.restartCount;
        cs.lastState = { terminated: { exitCode: 1, reason: 'Error', startedAt, finishedAt: t, containerID: cs.containerID } };
        cs.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${backoffSeconds(restarts)}s restarting failed container=${cs.name} pod=${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`,
          },
        };
        cs.ready = false;
        cs.started = false;
      }
      setCondition(
        p,
        'ContainersReady',
        'False',
        t,
        'ContainersNotReady',
        `containers with unready status: [${containerNames(p).join(' ')}]`,
      );
      setCondition(p, 'Ready', 'False', t, 'ContainersNotReady', `containers with unready status: [${containerNames(p).join(' ')}]`);
      this.touch(life, p);
      this.event(
        p,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${container?.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`,
      );
      log?.rotate();
      // The real back-off doubles from 10 s to 5 min; scaled down so a demo sees restarts happen.
      this.later(life, Math.min(1500 * 2 ** Math.min(restarts - 1, 3), 12_000), () => this.runCrashCycle(life));
    });
  }

  /** Graceful delete: Terminating for podTerminationDelayMs, then the pod and its sandbox are gone. */
  deletePod(namespace: string, name: string, gracePeriodSeconds: number | undefined): K8sObject | undefined {
    const pod = this.o.store.get('pods', namespace, name);
    if (!pod) return undefined;
    const life = this.pods.get(objectKey(namespace, name));
    if (pod.metadata.deletionTimestamp && gracePeriodSeconds !== 0) return pod;
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!pod.metadata.deletionTimestamp) {
      pod.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      pod.metadata.deletionGracePeriodSeconds = grace;
      this.o.store.update('pods', pod);
      for (const c of pod.spec.containers ?? []) this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    }
    const finish = () => {
      if (life) {
        life.gone = true;
        for (const t of life.timers) clearTimeout(t);
        life.timers.clear();
        for (const l of life.logs.values()) l.close();
        life.settle();
        const stopping = life.handle?.stop();
        life.handle = undefined;
        stopping?.catch((err) => this.o.log(`stopping ${life.key}: ${String(err)}`));
        this.pods.delete(life.key);
      }
      this.o.store.remove('pods', namespace, name);
      if (life?.owner) {
        const [ns, n] = life.owner.split('/');
        this.deploymentChanged(ns, n);
      }
    };
    if (grace === 0 || this.o.podTerminationDelayMs <= 0) finish();
    else setTimeout(finish, Math.min(this.o.podTerminationDelayMs, grace * 1000)).unref();
    return pod;
  }

  handleFor(namespace: string, name: string): PodHandle | undefined {
    return this.pods.get(objectKey(namespace, name))?.handle;
  }

  logFor(namespace: string, name: string, container: string): ContainerLog | undefined {
    return this.pods.get(objectKey(namespace, name))?.logs.get(container);
  }

  /** Resolves once every current pod has left Pending, or after timeoutMs. */
  async podsSettled(timeoutMs: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
    const all = Promise.all([...this.pods.values()].map((l) => l.settled));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private ticks = 0;

  private onTick(): void {
    // Running pods keep logging, and deployments are re-checked for progress deadlines.
    const t = Date.now();
    const mean = this.o.logIntervalMs ?? 5000;
    for (const life of this.pods.values()) {
      if (!life.handle) continue;
      if (life.nextLogAt === 0) life.nextLogAt = t + mean * (0.5 + Math.random());
      if (t < life.nextLogAt) continue;
      life.nextLogAt = t + mean * (0.5 + Math.random());
      for (const [, log] of life.logs) for (const l of activityLines(t)) log.append(l.text, Math.min(l.at, t));
    }
    if (++this.ticks % 4 === 0)
      for (const dep of this.o.store.list('deployments')) this.deploymentChanged(dep.metadata.namespace, dep.metadata.name);
    // Events expire after an hour, as with the apiserver's default --event-ttl.
    if (this.ticks % 240 === 0) {
      const cutoff = t - 3600_000;
      for (const ev of this.o.store.list('events')) {
        if (Date.parse(ev.lastTimestamp ?? ev.metadata.creationTimestamp) < cutoff)
          this.o.store.remove('events', ev.metadata.namespace, ev.metadata.name);
      }
    }
  }

  private readonly eventIndex = new Map<string, K8sObject>();

  /** Records an Event, folding repeats into `count` as the event recorder does. */
  event(obj: K8sObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.stopped) return;
    const ns = obj.metadata.namespace ?? 'default';
    const id = `${obj.metadata.uid}/${reason}/${message}`;
    const t = now();
    const existing = this.eventIndex.get(id);
    if (existing && this.o.store.get('events', ns, existing.metadata.name)) {
      existing.count = (existing.count ?? 1) + 1;
      existing.lastTimestamp = t;
      this.o.store.update('events', existing);
      return;
    }
    const component = reason === 'Scheduled' ? 'default-scheduler' : obj.kind === 'Pod' ? 'kubelet' : 'deployment-controller';
    const ev: K8sObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${Date.now().toString(16)}${randomSuffix(3)}`, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: ns,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component, ...(component === 'kubelet' ? { host: NODE_NAME } : {}) },
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? NODE_NAME : '',
    };
    // Recording an event must never bring the controller down: a name taken in the same
    // millisecond gets a fresh suffix, and anything else is dropped, as a kubelet drops events.
    for (let attempt = 0; ; attempt++) {
      try {
        this.o.store.create('events', ev);
        break;
      } catch (err) {
        if (attempt >= 5) return;
        ev.metadata.name = `${obj.metadata.name}.${Date.now().toString(16)}${randomSuffix(5)}`;
        void err;
      }
    }
    this.eventIndex.set(id, ev);
    if (this.eventIndex.size > 20_000) this.eventIndex.clear();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tick);
    const stops: Array<Promise<void>> = [];
    for (const life of this.pods.values()) {
      life.gone = true;
      for (const t of life.timers) clearTimeout(t);
      for (const l of life.logs.values()) l.close();
      if (life.handle) stops.push(life.handle.stop().catch(() => undefined));
    }
    await Promise.all(stops);
  }
}

function backoffSeconds(restarts: number): number {
  return Math.min(10 * 2 ** Math.max(restarts - 1, 0), 300);
}

function resolvePercent(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isReady(pod: K8sObject): boolean {
  return (
    !pod.metadata.deletionTimestamp && (pod.status?.conditions ?? []).some((c: K8sObject) => c.type === 'Ready' && c.status === 'True')
  );
}

function containerNames(pod: K8sObject): string[] {
  return (pod.spec.containers ?? []).map((c: K8sObject) => c.name);
}

/** The chart's main container is `openab`; other pods use their first container. */
export function mainContainer(pod: K8sObject): K8sObject | undefined {
  const cs: K8sObject[] = pod.spec?.containers ?? [];
  return cs.find((c) => c.name === 'openab') ?? cs[0];
}

function setCondition(pod: K8sObject, type: string, status: string, t: string, reason?: string, message?: string): void {
  const conds: K8sObject[] = (pod.status.conditions ??= []);
  const c = conds.find((x) => x.type === type);
  if (!c) {
    conds.push({ type, status, lastProbeTime: null, lastTransitionTime: t, ...(reason ? { reason, message } : {}) });
    return;
  }
  if (c.status !== status) c.lastTransitionTime = t;
  c.status = status;
  if (reason) {
    c.reason = reason;
    c.message = message;
  } else {
    delete c.reason;
    delete c.message;
  }
}
