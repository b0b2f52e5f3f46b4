// The demo fleet as the readiness checks read it, for the test files that check readiness
// (readiness itself, and each Codex version's row of the compatibility table).
import path from 'node:path';
import type { DevCluster } from '../../devcluster/cluster';
import { buildSeed } from '../../devcluster/seed';
import type { SeedAgent } from '../../devcluster/seed/types';
import { podProblem, type FleetAgent } from '../fleet/fleet';
import { getCluster } from '../k8s/clusters';
import { serverReadiness, type ServerReadiness } from '../readiness/service';
import { DASHBOARD_CONTEXT, grantConfigMapReads, readyFleet, startTestCluster } from './devcluster';

/**
 * A demo cluster with the app pointed at it (the seed's selector, the fake Discord, and `env`),
 * allowed to read OpenAB's config, and its Codex agents' pods settled.
 */
export async function startReadinessFleet(name: string, env: (cluster: DevCluster) => Record<string, string | undefined>) {
  const testCluster = await startTestCluster(name, { seed: 'demo' });
  const seed = await buildSeed('demo', { dataDir: path.join(testCluster.scratch, 'truth') });
  const truth = (seed.agents ?? []).filter((a) => a.codex);
  // The dev pods do not mount OpenAB's config: readiness reads it from the agent's ConfigMap.
  await grantConfigMapReads(testCluster.control);
  testCluster.pointApp({
    AGENT_SELECTOR: seed.codexSelector ?? undefined,
    DISCORD_API_BASE: testCluster.cluster.discordUrl,
    ...env(testCluster.cluster),
  });
  const fleet = (await readyFleet({ agents: truth.length })).agents;
  return { testCluster, seed, truth, fleet };
}

/** A seeded agent's readiness as the server works it out, its pod read afresh. */
export function readinessOf(fleet: FleetAgent[], t: SeedAgent): Promise<ServerReadiness> {
  const a = fleet.find((x) => x.workload.namespace === t.namespace && x.workload.name === t.name)!;
  return serverReadiness(
    {
      cluster: getCluster(DASHBOARD_CONTEXT),
      namespace: t.namespace,
      name: t.name,
      pod: a.pod ? { name: a.pod.name, uid: a.pod.uid } : null,
      podProblem: podProblem(a.workload, a.pod),
    },
    { podFactsMaxAgeMs: 0 },
  );
}
