// `npm run bench`: loading the overview's data for 50 agents with 50 ms of latency per API
// request and per exec, against a naive baseline in the same run (per pod: read auth.json,
// read config.toml, run `codex features list`, three execs, one pod after another).
// Cold = nothing cached; warm = probed before, pods' files unchanged (the server's short
// cache is disabled, so every pod is asked again). The last line is one JSON object.
import path from 'node:path';
import { demoAgentSelector, startDevClusterProcess } from './stack';
import { devClusterClient } from './devcluster-client';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

async function main() {
  const root = path.resolve(__dirname, '..');
  console.log(`Starting the dev cluster with ${AGENTS} agents…`);
  const { state, child } = await startDevClusterProcess({ stateDir: path.join(root, '.devcluster', 'bench'), agents: AGENTS });
  const control = devClusterClient(state);
  try {
    process.env.KUBECONFIG = state.kubeconfig;
    process.env.KUBE_CONTEXTS = 'dashboard@devcluster';
    process.env.PROBE_CACHE_MS = '1';
    process.env.AGENT_SELECTOR = demoAgentSelector(AGENTS);
    const { getClusters } = await import('../lib/k8s/clusters');
    const { listAgentWorkloads, activePod } = await import('../lib/k8s/agents');
    const { execInPod } = await import('../lib/k8s/exec');
    const { getFleet } = await import('../lib/fleet/fleet');
    const cluster = getClusters()[0];

    // Wait until every agent that should run is running.
    const deadline = Date.now() + 120_000;
    let workloads = await listAgentWorkloads(cluster);
    while (Date.now() < deadline && workloads.filter((w) => activePod(w)).length < workloads.length - 1) {
      await new Promise((r) => setTimeout(r, 500));
      workloads = await listAgentWorkloads(cluster);
    }
    const running = workloads.filter((w) => activePod(w));
    console.log(`${workloads.length} Codex agents, ${running.length} running; latency ${LATENCY_MS} ms per request and per exec`);
    await control.knobs({ latencyMs: LATENCY_MS, execLatencyMs: LATENCY_MS });

    async function measure(name: string, work: () => Promise<unknown>) {
      await control.resetStats();
      const t0 = performance.now();
      await work();
      const ms = Math.round(performance.now() - t0);
      const stats = await control.stats();
      // The stats calls themselves are not part of the work.
      const figures = { ms, requests: Math.max(0, stats.requests - 1), execs: stats.execs };
      console.log(`${name.padEnd(9)} ${String(ms).padStart(6)} ms  ${String(figures.requests).padStart(4)} API requests  ${String(figures.execs).padStart(4)} execs`);
      return figures;
    }

    const baseline = await measure('baseline', async () => {
      const ws = await listAgentWorkloads(cluster);
      for (const w of ws) {
        const pod = activePod(w);
        if (!pod) continue;
        for (const argv of [
          ['sh', '-c', 'cat "${CODEX_HOME:-$HOME/.codex}/auth.json"'],
          ['sh', '-c', 'cat "${CODEX_HOME:-$HOME/.codex}/config.toml"'],
          ['codex', 'features', 'list'],
        ]) {
          await execInPod(cluster, { namespace: w.namespace, pod: pod.name, container: 'openab', argv, timeoutMs: 60_000 }).catch(() => null);
        }
      }
    });
    const cold = await measure('cold', async () => {
      const fleet = await getFleet();
      const failed = fleet.agents.filter((a) => a.problem && a.pod);
      if (failed.length) console.log(`  ${failed.length} probes failed: ${failed[0].problem}`);
    });
    await new Promise((r) => setTimeout(r, 5));
    const warm = await measure('warm', () => getFleet());

    const result = {
      overview: {
        agents: workloads.length,
        latencyMs: LATENCY_MS,
        baseline,
        cold: { ...cold, ratio: Number((baseline.ms / cold.ms).toFixed(1)) },
        warm: { ...warm, ratio: Number((baseline.ms / warm.ms).toFixed(1)) },
        peakRssMb: Math.round(peakRss / 1024 / 1024),
      },
    };
    console.log(`cold ${result.overview.cold.ratio}x and warm ${result.overview.warm.ratio}x faster than the baseline (targets: 3x and 20x)`);
    console.log(JSON.stringify(result));
  } finally {
    clearInterval(sampler);
    await control.close();
    child.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
