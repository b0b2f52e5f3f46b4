// The one agent locator against the dev cluster with the demo seed and its set-based
// AGENT_SELECTOR: every way into an agent refuses the Kiro Deployment, finds each Codex agent
// with the pods the fleet shows, and a malformed selector stops every use with a plain reason.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeed } from '../../devcluster/seed';
import type { SeedAgent } from '../../devcluster/seed/types';
import { getCluster } from './clusters';
import { DASHBOARD_CONTEXT, startTestCluster, type TestCluster } from '../testing/devcluster';
import { listAgentWorkloads } from './agents';
import { locateAgent } from './locator';
import type { AgentRef } from './agent-ref';
import { findAgentDeployment, findAgentPod } from '../operations/target';
import { agentPod, forgetAgentPod } from '../images/agent-pod';
import { resolveLoginTarget } from '../login/device-login';
import { getAgentView } from '../fleet/agent-detail';

let testCluster: TestCluster;
let truth: SeedAgent[];
let selector: string;
const CONTEXT = DASHBOARD_CONTEXT;
const refOf = (a: SeedAgent): AgentRef => ({ clusterId: CONTEXT, namespace: a.namespace, name: a.name });

function useSelector(value: string) {
  testCluster.pointApp({ AGENT_SELECTOR: value });
}

beforeAll(async () => {
  testCluster = await startTestCluster('locator', { seed: 'demo' });
  const seed = await buildSeed('demo', { dataDir: path.join(testCluster.scratch, 'truth') });
  truth = seed.agents ?? [];
  selector = seed.codexSelector!;
  useSelector(selector);
}, 180_000);

afterAll(async () => {
  await testCluster?.stop();
});

describe('the agent locator', () => {
  it('refuses the Kiro Deployment through every way in, with the set-based selector', async () => {
    expect(selector).toMatch(/component in \(codex,codex-2/);
    const kiro = truth.find((a) => !a.codex)!;
    const ref = refOf(kiro);
    const refused = { status: 404, message: expect.stringMatching(/is not a Codex agent of this dashboard/) };
    await expect(locateAgent(ref)).rejects.toMatchObject(refused);
    await expect(getAgentView(ref.clusterId, ref.namespace, ref.name)).rejects.toMatchObject(refused);
    await expect(resolveLoginTarget(ref)).rejects.toMatchObject(refused);
    await expect(agentPod(ref)).rejects.toMatchObject(refused);
    await expect(findAgentDeployment(ref)).rejects.toThrow(/is not a Codex agent of this dashboard/);
    await expect(findAgentPod(ref)).rejects.toThrow(/is not a Codex agent of this dashboard/);
  });

  it('answers a missing Deployment, an unknown cluster and a name that is not one as "no Codex agent"', async () => {
    const codex = truth.find((a) => a.codex)!;
    await expect(locateAgent({ ...refOf(codex), name: 'no-such-agent' })).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/Not found: there is no Codex agent/),
    });
    await expect(locateAgent({ ...refOf(codex), clusterId: 'nowhere' })).rejects.toMatchObject({ status: 404 });
    await expect(locateAgent({ ...refOf(codex), name: 'Not_A_Name' })).rejects.toMatchObject({ status: 404 });
  });

  it('finds every Codex agent with the pods and running pod the fleet shows', async () => {
    const fleet = await listAgentWorkloads(getCluster(CONTEXT));
    const codex = truth.filter((a) => a.codex);
    expect(fleet.map((w) => `${w.namespace}/${w.name}`).sort()).toEqual(codex.map((a) => `${a.namespace}/${a.name}`).sort());
    for (const a of codex) {
      const located = await locateAgent(refOf(a));
      const listed = fleet.find((w) => w.namespace === a.namespace && w.name === a.name)!;
      expect(
        located.workload.pods.map((p) => p.name),
        a.name,
      ).toEqual(listed.pods.map((p) => p.name));
      expect(located.pods.map((p) => p.metadata!.name)).toEqual(listed.pods.map((p) => p.name));
      if (!a.crashLooping)
        expect(located.pod?.name, a.name).toBe(listed.pods.find((p) => p.phase === 'Running' && !p.terminating && !p.crashLooping)?.name);
    }
  });

  it('stops at a malformed AGENT_SELECTOR with a plain reason, never guessing a term', async () => {
    const codex = refOf(truth.find((a) => a.codex && !a.crashLooping)!);
    try {
      for (const bad of ['app.kubernetes.io/component in (codex,codex-2', 'app.kubernetes.io/component in codex', 'a,,b']) {
        useSelector(bad);
        forgetAgentPod(codex);
        await expect(locateAgent(codex), bad).rejects.toThrow(
          /The setting AGENT_SELECTOR cannot be used: The label selector .* is not valid/,
        );
        await expect(listAgentWorkloads(getCluster(CONTEXT)), bad).rejects.toThrow(/AGENT_SELECTOR cannot be used/);
        await expect(agentPod(codex), bad).rejects.toThrow(/AGENT_SELECTOR cannot be used/);
      }
    } finally {
      useSelector(selector);
      forgetAgentPod(codex);
    }
    await expect(locateAgent(codex)).resolves.toMatchObject({ ref: codex });
  });
});
