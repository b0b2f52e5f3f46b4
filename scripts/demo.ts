// `npm run demo`: builds the dashboard, starts the dev cluster with the demo fleet and the
// dashboard on http://127.0.0.1:3000 (PORT respected), and says how to sign in.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startStack } from './stack';
import { BUBBLEWRAP, MMDEBSTRAP, ensureMachineTools } from './machine-tools';
import { describeIsolation, preparePods, rootlessUnavailableReason } from '../devcluster/runtime/index';

async function main() {
  const root = path.resolve(__dirname, '..');
  // Without them the demo still runs, in a weaker mode it names below.
  const lacking = ensureMachineTools([BUBBLEWRAP, MMDEBSTRAP]);
  if (lacking) console.log(`${lacking} (the demo runs without them, with less isolation)`);
  const pods = preparePods((line) => console.log(line));
  if (!process.argv.includes('--no-build')) {
    console.log('Building the dashboard (next build)…');
    const build = spawnSync(path.join(root, 'node_modules', '.bin', 'next'), ['build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const port = Number(process.env.PORT ?? 3000);
  const password = process.env.DEMO_PASSWORD || randomBytes(9).toString('base64url');
  console.log('Starting the dev cluster and the dashboard…');
  // `npm run demo -- --agents 500`: a bigger fleet (default 8).
  const at = process.argv.indexOf('--agents');
  const agents = at > 0 ? Number(process.argv[at + 1]) : undefined;
  if (agents !== undefined && (!Number.isInteger(agents) || agents < 1 || agents > 2000))
    throw new Error(`--agents must be a whole number from 1 to 2000, not ${process.argv[at + 1]}`);
  const stack = await startStack({
    stateDir: path.join(root, '.devcluster', 'demo'),
    port,
    demoPassword: password,
    agents,
    notifications: true,
    verbose: process.argv.includes('--verbose'),
  });
  const isolation = describeIsolation(stack.cluster.isolation, rootlessUnavailableReason());
  console.log(`
  OpenAB Codex dashboard: ${stack.url}

  Sign in with one of the demo users (one per role):
    viewer, support, operator, admin
  Password: ${password}${process.env.DEMO_PASSWORD ? ' (from DEMO_PASSWORD)' : ' (set DEMO_PASSWORD to choose it)'}

  Dev cluster API: ${stack.cluster.url}   kubeconfig: ${stack.cluster.kubeconfig}
  Fake device-login issuer: ${stack.cluster.issuerUrl}/codex/device
  Notifications received (expired logins, crash loops, failed deliveries, Full access): ${stack.cluster.webhooks?.url ?? 'off'}/
  ${isolation ? `Note: ${isolation}.\n  ` : ''}${pods.onImage ? '' : `Pods run on this machine's own system, not on an image like OpenAB's: ${pods.why}.\n  `}Press Ctrl+C to stop.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
