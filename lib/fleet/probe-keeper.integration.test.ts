// Pages never wait on a pod they know: once an agent was probed, reads of the overview and the
// agent page make no exec and return what is known with its age; the keeper refreshes looked-at
// agents in the background, so a file changed in the pod shows within PROBE_REFRESH_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import { createAgent, kubeConfig, readyPod } from '../../devcluster/conformance/helpers';
import * as k8s from '@kubernetes/client-node';
import { getCluster } from '../k8s/clusters';
import { execInPod } from '../k8s/exec';
import { fleetWhenChanged, getFleet } from './fleet';
import { resetProbeCacheForTests } from './probe';
import { getAgentView } from './agent-detail';
import { DASHBOARD_CONTEXT, startTestCluster, until, type TestCluster } from '../testing/devcluster';

const CTX = DASHBOARD_CONTEXT;
const NS = 'kept';
const REFRESH_MS = 1_500;
let cluster: DevCluster;
let testCluster: TestCluster;

beforeAll(async () => {
  testCluster = await startTestCluster('probe-keeper', { seed: 'empty', podReadyDelayMs: 200 });
  cluster = testCluster.cluster;
  const admin = kubeConfig(cluster);
  await admin.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  await createAgent(admin, NS, 'one', { 'app.kubernetes.io/component': 'codex' });
  await readyPod(admin, NS, 'codex');
  testCluster.pointApp({
    AGENT_SELECTOR: 'app.kubernetes.io/name=openab,app.kubernetes.io/component=codex',
    // Every read would probe again under the old per-request cache.
    PROBE_CACHE_MS: '1',
    PROBE_REFRESH_MS: String(REFRESH_MS),
  });
}, 120_000);

afterAll(async () => {
  await testCluster?.stop();
});

/** Writes config.toml in the pod as an operator would by hand (kubectl exec), behind the dashboard's back. */
async function setApprovalByHand(namespace: string, pod: string, policy: string): Promise<void> {
  const wrote = await execInPod(getCluster(CTX), {
    namespace,
    pod,
    container: 'openab',
    // The value goes in as an argument ($1), never into the script's text.
    argv: ['sh', '-c', 'mkdir -p "$HOME/.codex" && printf \'approval_policy = "%s"\\n\' "$1" > "$HOME/.codex/config.toml"', 'sh', policy],
    timeoutMs: 20_000,
  });
  expect(wrote.exitCode).toBe(0);
}

describe('the probe keeper', () => {
  it('answers reads of a probed agent from what it knows, with its age, and no exec', async () => {
    const cold = await getFleet();
    const agent = cold.agents.find((a) => a.workload.name === 'one')!;
    expect(agent.probe?.observedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    cluster.resetStats();
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const fleet = await getFleet();
      const a = fleet.agents.find((x) => x.workload.name === 'one')!;
      expect(a.probe).not.toBeNull();
      expect(Date.parse(a.probe!.observedAt)).toBeLessThanOrEqual(Date.now());
      const agent = await getAgentView(CTX, NS, 'one');
      expect(agent.probe?.observedAt).toBeTruthy();
    }
    // The keeper may have refreshed once in the background meanwhile, never once per read.
    const elapsed = Date.now() - started;
    expect(cluster.stats().execs).toBeLessThanOrEqual(Math.ceil(elapsed / REFRESH_MS));
  });

  it('sees a file changed in the pod within the refresh interval, without a read waiting for it', async () => {
    const before = (await getFleet()).agents.find((a) => a.workload.name === 'one')!;
    expect(before.probe?.configPresent).toBe(false);
    await setApprovalByHand(NS, before.pod!.name, 'never');
    const changedAt = Date.now();
    const seen = await until(
      async () => {
        const t = Date.now();
        const a = (await getFleet()).agents.find((x) => x.workload.name === 'one')!;
        expect(Date.now() - t).toBeLessThan(1_000);
        return a;
      },
      (a) => Boolean(a.probe?.configPresent),
      REFRESH_MS * 4,
      100,
    );
    expect(seen.probe?.configPresent).toBe(true);
    const seenAfter = Date.now() - changedAt;
    // Within the interval, plus one keeper tick and the probe's own run.
    expect(seenAfter).toBeLessThan(REFRESH_MS + 3_000);
  });

  it('a refresh holding a token waits until what is on screen changes, and answers within a second of the change being found', async () => {
    const onScreen = { lookedAt: new Set([`${CTX}/${NS}/one`]) };
    const first = await fleetWhenChanged(onScreen, null, new AbortController().signal);
    // Nothing changes: the refresh waits its whole time, then answers with the same token.
    let started = Date.now();
    const quiet = await fleetWhenChanged(onScreen, first.token, new AbortController().signal, REFRESH_MS * 2);
    expect(quiet.token).toBe(first.token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(REFRESH_MS * 2 - 50);
    // A person leaving the page ends the wait at once.
    const leaving = new AbortController();
    started = Date.now();
    const left = fleetWhenChanged(onScreen, first.token, leaving.signal, 20_000);
    setTimeout(() => leaving.abort(), 200);
    await left;
    expect(Date.now() - started).toBeLessThan(2_000);
    // A file changed by hand: the waiting refresh answers once the keeper found it.
    const pod = first.fleet.agents.find((a) => a.workload.name === 'one')!.pod!.name;
    const waiting = fleetWhenChanged(onScreen, first.token, new AbortController().signal, 20_000);
    await setApprovalByHand(NS, pod, 'on-request');
    const changedAt = Date.now();
    const changed = await waiting;
    expect(changed.token).not.toBe(first.token);
    const approval = changed.fleet.agents.find((a) => a.workload.name === 'one')!.probe?.approval;
    expect(approval?.ok && approval.approvalPolicy).toBe('on-request');
    // The keeper's interval, one of its ticks, the probe's run and one look of the refresh.
    expect(Date.now() - changedAt).toBeLessThan(REFRESH_MS + 4_000);
  });

  it('a view that bounds its wait for first probes shows pods not checked yet, and their facts come after', async () => {
    resetProbeCacheForTests();
    await testCluster.control.knobs({ execLatencyMs: 3_000 });
    try {
      const started = Date.now();
      const fleet = await getFleet({ waitForFirstProbes: 300 });
      expect(Date.now() - started).toBeLessThan(2_000);
      const one = fleet.agents.find((a) => a.workload.name === 'one')!;
      expect(one.pod).not.toBeNull();
      expect(one.probe).toBeNull();
      expect(one.problem).toBeNull();
      const later = await until(
        () => getFleet({ waitForFirstProbes: 0 }),
        (f) => Boolean(f.agents.find((a) => a.workload.name === 'one')?.probe),
        15_000,
        200,
      );
      expect(later.agents.find((a) => a.workload.name === 'one')?.probe).not.toBeNull();
    } finally {
      await testCluster.control.knobs({ execLatencyMs: 0 });
    }
  });

  it('keeps the facts it has when a refresh fails, says why, and retries at the refresh pace, not on every read', async () => {
    const known = (await getFleet()).agents.find((a) => a.workload.name === 'one')!;
    expect(known.probe).not.toBeNull();
    await testCluster.control.knobs({ faults: [{ pathRegex: '/exec', status: 500 }] });
    let failedAt = 0;
    try {
      const failing = await until(
        async () => (await getFleet()).agents.find((x) => x.workload.name === 'one')!,
        (a) => a.probeFailure !== null,
        REFRESH_MS * 4,
        100,
      );
      // The facts stand, with the failure beside them: the agent is not "unreadable".
      expect(failing.probe).not.toBeNull();
      expect(failing.problem).toBeNull();
      expect(failing.probeFailure?.message).toMatch(/\S/);
      failedAt = Date.parse(failing.probeFailure!.at);
      expect(failedAt).toBeGreaterThan(Date.parse(failing.probe!.observedAt));
      expect((await getAgentView(CTX, NS, 'one')).probeFailure).not.toBeNull();

      // Reads every 100 ms: the failing pod is tried again once per interval, not per read.
      cluster.resetStats();
      const started = Date.now();
      while (Date.now() - started < REFRESH_MS * 3) {
        await getFleet();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(cluster.stats().execs).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / REFRESH_MS) + 1);
    } finally {
      await testCluster.control.knobs({ faults: [] });
    }
    const recovered = await until(
      async () => (await getFleet()).agents.find((x) => x.workload.name === 'one')!,
      (a) => a.probeFailure === null,
      REFRESH_MS * 4,
      100,
    );
    expect(Date.parse(recovered.probe!.observedAt)).toBeGreaterThan(failedAt);
  });

  it('keeps the agents on screen fresh and the ones only listed warm, ten times slower', async () => {
    const admin = kubeConfig(cluster);
    // In a namespace of its own: the fixture's Deployments select by component, and would share pods.
    const NS2 = 'kept-two';
    const nsOf = (name: string) => (name === 'two' ? NS2 : NS);
    await admin.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS2 } } });
    await createAgent(admin, NS2, 'two', { 'app.kubernetes.io/component': 'codex' });
    const key = (name: string) => `${CTX}/${nsOf(name)}/${name}`;
    // Only "one" is on screen; "two" is in the list (another page of the overview).
    const onScreen = { lookedAt: new Set([key('one')]) };
    const agent = (fleet: Awaited<ReturnType<typeof getFleet>>, name: string) => fleet.agents.find((a) => a.workload.name === name)!;
    await until(
      () => getFleet(onScreen),
      (f) => Boolean(agent(f, 'two')?.probe),
      30_000,
      200,
    );
    const approvalOf = (f: Awaited<ReturnType<typeof getFleet>>, name: string) => {
      const a = agent(f, name).probe?.approval;
      return a?.ok ? a.approvalPolicy : undefined;
    };
    for (const name of ['one', 'two']) {
      const { pod } = agent(await getFleet(onScreen), name);
      await setApprovalByHand(nsOf(name), pod!.name, 'untrusted');
    }
    const seen = await until(
      () => getFleet(onScreen),
      (f) => approvalOf(f, 'one') === 'untrusted',
      REFRESH_MS * 4,
      100,
    );
    // Within the same time, the agent only listed still shows what it had.
    expect(approvalOf(seen, 'two')).not.toBe('untrusted');
    // Once on screen, it is fresh within the interval too.
    const changedSeen = await until(
      () => getFleet({ lookedAt: new Set([key('two')]) }),
      (f) => approvalOf(f, 'two') === 'untrusted',
      REFRESH_MS * 10,
      100,
    );
    expect(approvalOf(changedSeen, 'two')).toBe('untrusted');
  });
});
