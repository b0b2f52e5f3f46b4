// A second production server of the same build on the e2e dev cluster, in impersonation mode:
// every cluster call is made as the signed-in person, so the cluster's RBAC decides per person.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { E2E, e2eState } from './env';

export const CLUSTER_ID = 'dashboard@devcluster';

export async function startImpersonatingServer(port: number): Promise<{ url: string; stop: () => void }> {
  const state = e2eState();
  const url = `http://127.0.0.1:${port}`;
  const root = path.resolve(__dirname, '../..');
  const server = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      KUBECONFIG: state.cluster.kubeconfig,
      KUBE_CONTEXTS: CLUSTER_ID,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
      DEMO_PASSWORD: E2E.password,
      AGENT_SELECTOR: state.cluster.seed?.codexSelector ?? 'app.kubernetes.io/name=openab',
      DISCORD_API_BASE: state.cluster.discordUrl,
      PROBE_CACHE_MS: '1000',
      IMPERSONATION: 'true',
    },
  });
  const output: string[] = [];
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the impersonating server did not start:\n${output.join('\n')}`)), 60_000);
    createInterface({ input: server.stderr! }).on('line', (l) => output.push(l));
    createInterface({ input: server.stdout! }).on('line', (l) => {
      output.push(l);
      if (/Ready in|started server|Local:/i.test(l)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`the impersonating server exited (${code}):\n${output.join('\n')}`)));
  });
  // A server that did not come up is not left running.
  await started.catch((err) => {
    server.kill('SIGTERM');
    throw err;
  });
  return { url, stop: () => server.kill('SIGTERM') };
}
