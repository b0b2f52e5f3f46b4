// Fault tests against the dev cluster's knobs: API 500s and 429s, a call that never answers,
// an exec dropped or stalled mid-stream, a pod deleted mid-action, the cluster down at start,
// very slow pods. The fleet still renders with per-agent or per-cluster errors, actions
// fail in plain words, and after every fault each agent's config.toml parses or is exactly
// what it was.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { parse } from 'smol-toml';
import { kubeConfig } from '../../devcluster/conformance/helpers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import {
  DASHBOARD_CONTEXT,
  EVERY_CODEX_AGENT,
  readyFleet,
  startTestCluster,
  type DevClusterControl,
  type TestCluster,
} from '../testing/devcluster';
import { getFleet, type Fleet } from '../fleet/fleet';
import { resetProbeCacheForTests } from '../fleet/probe';
import { resetClusters } from '../k8s/clusters';
import { listFleetHistory } from '../audit/fleet-history';
import { UserFacingError } from '../errors';
import { changeApprovalMode, readApprovalForm } from './approval-mode';
import { readPodConfig } from './pod-config';
import { restartAgent } from './restart';
import { findAgentPod } from './target';
import type { AgentRef } from './agent-ref';

const CTX = DASHBOARD_CONTEXT;
const actor = { name: 'fiona', email: null, role: 'operator' };
let testCluster: TestCluster;
let scratch: string;
let cluster: DevCluster;
let control: DevClusterControl;
let admin: k8s.CoreV1Api;
let agents: AgentRef[] = [];
/** Each agent's config.toml as last seen intact. */
const known = new Map<string, { exists: boolean; text: string }>();

const keyOf = (r: AgentRef) => `${r.namespace}/${r.name}`;

function useKubeconfig(file: string) {
  testCluster.pointApp({ KUBECONFIG: file, PROBE_TIMEOUT_MS: '3000', AGENT_SELECTOR: EVERY_CODEX_AGENT });
}

async function clearKnobs() {
  await control.knobs({ latencyMs: 0, execLatencyMs: 0, faults: [], execFault: null });
}

/** The fleet once every agent known so far has been probed again. */
const probedFleet = (): Promise<Fleet> => readyFleet({ probed: agents.length, fresh: true });

/** After a fault: every agent's config.toml parses, or is byte for byte what it was. */
async function expectConfigsIntact(what: string) {
  await clearKnobs();
  await probedFleet();
  for (const ref of agents) {
    const now = await readPodConfig(await findAgentPod(ref));
    const before = known.get(keyOf(ref));
    const same = before && before.exists === now.exists && before.text === now.text;
    if (!same && now.exists) {
      expect(() => parse(now.text), `${keyOf(ref)} config.toml after ${what}`).not.toThrow();
    }
    if (before?.exists) expect(now.exists, `${keyOf(ref)} config.toml still there after ${what}`).toBe(true);
    known.set(keyOf(ref), { exists: now.exists, text: now.text });
  }
}

/** Runs work, and as soon as the dev cluster has seen `afterExecs` more execs, applies knobs. */
async function faultAfterExecs<T>(afterExecs: number, knobs: Record<string, unknown>, work: () => Promise<T>): Promise<T | Error> {
  const base = (await control.stats()).execs;
  const running = work().then(
    (v) => v,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  let done = false;
  void running.finally(() => (done = true));
  while (!done && (await control.stats()).execs < base + afterExecs) await new Promise((r) => setTimeout(r, 10));
  if (!done) await control.knobs(knobs);
  return running;
}

beforeAll(async () => {
  testCluster = await startTestCluster('faults', { seed: 'demo' });
  ({ cluster, control, scratch } = testCluster);
  const kc = kubeConfig(cluster);
  admin = kc.makeApiClient(k8s.CoreV1Api);
  useKubeconfig(cluster.kubeconfigPath);
  agents = [];
  const fleet = await probedFleet();
  agents = fleet.agents
    .filter((a) => a.probe && !a.problem)
    .map((a) => ({ clusterId: CTX, namespace: a.workload.namespace, name: a.workload.name }));
  expect(agents.length).toBeGreaterThan(3);
  await expectConfigsIntact('start');
}, 180_000);

afterEach(async () => {
  await clearKnobs();
});

afterAll(async () => {
  await testCluster?.stop();
});

/** An agent whose approval mode can be switched (its config parses and is not custom). */
async function switchable(): Promise<{ ref: AgentRef; hash: string; to: 'manual' | 'auto-review' }> {
  for (const ref of agents) {
    const form = await readApprovalForm(ref);
    if (form.ok && form.mode !== 'custom') return { ref, hash: form.hash, to: form.mode === 'manual' ? 'auto-review' : 'manual' };
  }
  throw new Error('no agent with a switchable approval mode');
}

describe('API faults', () => {
  it('500s on listing pods: the fleet renders with the cluster error in plain words', async () => {
    await control.knobs({ faults: [{ pathRegex: '/pods', verb: 'list', status: 500 }] });
    // Lists happen when the watch cache starts (or relists): a dashboard starting now.
    resetClusters();
    const fleet = await getFleet();
    const error = fleet.error ?? fleet.clusters.find((c) => c.id === CTX)?.error;
    expect(error).toMatch(/API failed \(500\)/);
    await expectConfigsIntact('API 500s');
  });

  it('429 on the restart patch: the restart fails saying the cluster is throttling', async () => {
    await control.knobs({ faults: [{ verb: 'patch', status: 429 }] });
    const err = await restartAgent(agents[0], actor).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toMatch(/throttling requests \(429\)/);
    await expectConfigsIntact('429 on patch');
  });

  it('a list that never answers: the fleet reports the timeout instead of hanging', async () => {
    await control.knobs({ faults: [{ pathRegex: '/deployments', verb: 'list', status: 'timeout', count: 1 }] });
    resetClusters();
    const started = Date.now();
    const fleet = await getFleet();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(fleet.error ?? fleet.clusters.find((c) => c.id === CTX)?.error).toMatch(/did not answer in time/);
    await expectConfigsIntact('an API timeout');
  }, 60_000);

  it('the audit page lists what it can when Events fail', async () => {
    await control.knobs({ faults: [{ pathRegex: '/events', verb: 'list', status: 500 }] });
    const listing = await listFleetHistory();
    expect(listing.entries).toEqual([]);
    expect(listing.errors.join(' ')).toMatch(/API failed \(500\)/);
  });
});

describe('exec faults', () => {
  it('an exec dropped mid-stream: that agent shows the problem, the others render', async () => {
    resetProbeCacheForTests();
    await control.knobs({ execFault: { kind: 'drop', count: 1 } });
    const fleet = await getFleet();
    const broken = fleet.agents.filter((a) => a.problem);
    expect(broken.length).toBeGreaterThanOrEqual(1);
    expect(broken.map((a) => a.problem).join(' ')).toMatch(/closed before the command reported|connection .* failed|ended early/);
    expect(fleet.agents.filter((a) => a.probe).length).toBeGreaterThanOrEqual(agents.length - 1);
    await expectConfigsIntact('a dropped probe');
  });

  it('an exec that stalls: the probe gives up at its deadline and says so', async () => {
    resetProbeCacheForTests();
    await control.knobs({ execFault: { kind: 'stall', count: 1 } });
    const started = Date.now();
    const fleet = await getFleet();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(
      fleet.agents
        .filter((a) => a.problem)
        .map((a) => a.problem)
        .join(' '),
    ).toMatch(/did not finish within 3 s/);
    await expectConfigsIntact('a stalled probe');
  }, 60_000);

  // A stalled write waits out the write's own 60 s deadline: covered by the drop below and the stalled probe above.
  for (const kind of ['drop'] as const) {
    it(`an exec dropped while config.toml is written: plain-words failure, file intact`, async () => {
      const { ref, hash, to } = await switchable();
      // Let the read through, then break the write (exec latency widens the window).
      await control.knobs({ execLatencyMs: 400 });
      const result = await faultAfterExecs(1, { execFault: { kind, count: 1 } }, () =>
        changeApprovalMode(ref, { mode: to, baseHash: hash, replaceCustom: false }, actor),
      );
      expect(result).toBeInstanceOf(UserFacingError);
      expect((result as Error).message).toMatch(/closed before the command reported|connection .* failed|nothing was changed/);
      await expectConfigsIntact(`an exec ${kind} during a write`);
    }, 90_000);
  }

  it('very slow pods: the fleet answers within the probe deadline, with a per-agent reason', async () => {
    resetProbeCacheForTests();
    await control.knobs({ execLatencyMs: 8_000 });
    const started = Date.now();
    const fleet = await getFleet();
    expect(Date.now() - started).toBeLessThan(20_000);
    const slow = fleet.agents.filter((a) => a.problem);
    expect(slow.length).toBeGreaterThan(0);
    expect(slow[0].problem).toMatch(/did not finish within 3 s/);
    expect(fleet.agents.length).toBeGreaterThanOrEqual(agents.length);
    await expectConfigsIntact('slow pods');
  }, 60_000);
});

describe('the pod goes away', () => {
  it('a pod deleted mid-action: the action fails in plain words, the new pod has an intact config', async () => {
    const { ref, hash, to } = await switchable();
    const target = await findAgentPod(ref);
    await control.knobs({ execLatencyMs: 1_500 });
    const running = changeApprovalMode(ref, { mode: to, baseHash: hash, replaceCustom: false }, actor).then(
      (v) => v,
      (e: unknown) => e as Error,
    );
    await new Promise((r) => setTimeout(r, 300));
    await admin.deleteNamespacedPod({ namespace: ref.namespace, name: target.pod.name, gracePeriodSeconds: 0 });
    const result = await running;
    expect(result).toBeInstanceOf(UserFacingError);
    expect((result as Error).message).toMatch(/no longer exists|closed before|not running|Reload/);
    await expectConfigsIntact('a pod deleted mid-action');
  }, 120_000);
});

describe('the cluster down at start', () => {
  let proxy: Server | null = null;
  afterAll(() => {
    proxy?.close();
    useKubeconfig(cluster.kubeconfigPath);
  });

  it('renders the error in plain words, then works once the API server answers, without a restart', async () => {
    // A kubeconfig whose server is a port nothing listens on yet.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const doc = load(readFileSync(cluster.kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
    const real = new URL(doc.clusters[0].cluster.server);
    for (const c of doc.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
    const down = path.join(scratch, 'kubeconfig-down');
    writeFileSync(down, dump(doc));
    useKubeconfig(down);
    // The dev cluster's certificate names 127.0.0.1, so the proxied connection verifies.
    const fleet = await getFleet();
    expect(fleet.error ?? fleet.clusters[0]?.error).toMatch(/cannot be reached/);
    expect((await listFleetHistory()).errors.join(' ')).toMatch(/cannot be reached/);

    proxy = createServer((socket) => {
      const upstream = connect(Number(real.port), real.hostname);
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy!.listen(port, '127.0.0.1', r));
    const up = await getFleet();
    expect(up.error).toBeNull();
    expect(up.clusters[0].error).toBeNull();
    expect(up.agents.length).toBeGreaterThanOrEqual(agents.length);
  }, 60_000);
});
