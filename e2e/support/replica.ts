// One more dashboard server (`next start` of the same build) on the e2e dev cluster, with the
// given settings: replicas of one dashboard share the session secret, as a Deployment's pods do.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from '../../scripts/stack';
import { e2eState } from './env';

const root = path.resolve(__dirname, '../..');
const SECRET = randomBytes(32).toString('base64url');

export interface Replica {
  url: string;
  /** Everything it printed so far. */
  output: string[];
  stop(): Promise<void>;
  /** Gone at once, as a crashed pod: nothing of its own shutdown runs. */
  kill(): void;
}

export async function startReplica(port: number, env: Record<string, string>): Promise<Replica> {
  const { cluster } = e2eState();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      KUBECONFIG: cluster.kubeconfig,
      KUBE_CONTEXTS: 'dashboard@devcluster',
      AGENT_SELECTOR: cluster.seed?.codexSelector ?? '',
      DISCORD_API_BASE: cluster.discordUrl,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: SECRET,
      PORT: String(port),
      ...env,
    },
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica on ${port} did not start in 60 s:\n${output.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (/Ready in|started server|Local:/i.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica on ${port} exited (${code}):\n${output.join('\n')}`));
    });
  });
  return { url, output, stop: () => stopChild(child), kill: () => void child.kill('SIGKILL') };
}
