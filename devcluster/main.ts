// CLI: npm run devcluster -- [--port N] [--kubeconfig FILE] [--seed demo|empty] [--agents N] [--latency-ms N]
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevCluster } from './cluster';
import { describeIsolation, podImageUnbuildableReason, rootlessUnavailableReason } from './runtime/index';

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

// A signal during start-up is honoured once the cluster is up, so its files still get removed.
let stopRequested = false;
let stopNow: (() => Promise<void>) | null = null;
const onSignal = () => {
  stopRequested = true;
  void stopNow?.();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Started by a script (the demo, the bench, the tests' stack) that names itself the owner: when it
// dies without stopping us (killed, its terminal closed), we stop too, rather than leave a cluster
// and its pods running with nobody to end them.
const owner = Number(process.env.DEVCLUSTER_OWNER_PID);
if (Number.isInteger(owner) && owner > 1)
  setInterval(() => {
    try {
      process.kill(owner, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') onSignal();
    }
  }, 1_000).unref();
// A parent that went away closes our output pipes; a failed log line must not cut the
// clean-up short (that left each pod's volume behind in the temp directory).
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      state: { type: 'string' },
      seed: { type: 'string', default: 'demo' },
      agents: { type: 'string' },
      'latency-ms': { type: 'string' },
      'exec-latency-ms': { type: 'string' },
      'ready-delay-ms': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const seed = values.seed;
  if (seed !== 'demo' && seed !== 'empty') throw new Error(`--seed must be demo or empty, not ${seed}`);
  const host = '127.0.0.1';
  let port = values.port !== undefined ? Number(values.port) : (await portFree(6443, host)) ? 6443 : 0;
  if (!Number.isInteger(port) || port < 0) throw new Error(`bad --port ${values.port}`);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const cluster = await startDevCluster({
    port,
    host,
    kubeconfigPath: path.resolve(values.kubeconfig ?? path.join('.devcluster', 'kubeconfig')),
    statePath: values.state ? path.resolve(values.state) : undefined,
    seed,
    agents: num(values.agents),
    latencyMs: num(values['latency-ms']),
    execLatencyMs: num(values['exec-latency-ms']),
    podReadyDelayMs: num(values['ready-delay-ms']),
    quiet: values.quiet,
  });
  port = Number(new URL(cluster.url).port);
  const isolation = describeIsolation(cluster.isolation, rootlessUnavailableReason());
  if (isolation) console.log(`devcluster: ${isolation}`);
  if (!cluster.onImage)
    console.log(
      `devcluster: pods run on this machine's own /usr, not on an image like OpenAB's (${podImageUnbuildableReason() ?? 'the image is not built'})`,
    );
  console.log(`devcluster ready at ${cluster.url} (kubeconfig ${cluster.kubeconfigPath}, started in ${cluster.startupMs} ms)`);
  console.log(`devcluster: notification webhooks received: ${cluster.webhooks.url}/`);
  let stopping = false;
  stopNow = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  if (stopRequested) await stopNow();
}

main().catch((err) => {
  console.error(`devcluster: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
