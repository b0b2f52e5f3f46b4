// Starts the demo stack: the dev cluster (a child process) and the dashboard's production
// server on top of it. Used by `npm run demo` and by the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { SeedAgent } from '../devcluster/seed/types';
import type { PodIsolation } from '../devcluster/runtime/types';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { devClusterClient } from './devcluster-client';

export interface DevClusterState {
  url: string;
  issuerUrl: string;
  discordUrl: string;
  /** The fake notification webhooks: `url` shows what arrived; `urls` are what the dashboard posts to. */
  webhooks?: { url: string; urls: { slack: string; discord: string; webhook: string } };
  discordBotToken: string;
  tokens: Record<'admin' | 'viewer' | 'support' | 'operator' | 'dashboard', string>;
  isolation: PodIsolation;
  kubeconfig: string;
  /** The seed's truth: what each agent is, and a selector that finds every Codex agent. */
  seed?: { agents: SeedAgent[]; codexSelector: string | null };
}

/**
 * The demo seed runs releases with several Codex agents (agent keys `codex`, `codex-2`, ...,
 * as OpenAB's chart allows), so the dashboard's default selector (component=codex) would see
 * only the first of each release: the demo sets the selector an operator of such a fleet sets.
 */
export function demoAgentSelector(agents = 8): string {
  const perRelease = Math.ceil(Math.max(agents, 6) / 2);
  const keys = Array.from({ length: perRelease }, (_, i) => (i === 0 ? 'codex' : `codex-${i + 1}`));
  return `app.kubernetes.io/name=openab,app.kubernetes.io/component in (${keys.join(',')})`;
}

export interface StackOptions {
  /** Where the dev cluster writes its kubeconfig and state (a folder of its own). */
  stateDir: string;
  port: number;
  seed?: 'demo' | 'empty';
  agents?: number;
  demoPassword: string;
  /** Extra environment for the dashboard (OIDC settings, ...). */
  env?: Record<string, string>;
  /** Echo the children's output (the demo does; tests keep it in a log). */
  verbose?: boolean;
  /** Also start an empty second cluster, as a second kubeconfig context (the cluster switcher). */
  secondCluster?: boolean;
  /**
   * The dashboard identity's only RBAC rules (e.g. the Helm chart's Roles and bindings), in
   * place of the dev cluster's defaults for it, on every cluster of the stack; other users
   * keep theirs. `watchNamespaces` becomes WATCH_NAMESPACES unless `env` sets it.
   */
  rbac?: (cluster: DevClusterState) => Promise<{ objects: object[]; watchNamespaces?: string[] }>;
  /** Notifications on, to the dev cluster's fake webhooks (the demo shows what arrives). */
  notifications?: boolean;
  /** Where the dashboard's stdout and stderr are copied (default `<stateDir>/dashboard.log`; null: nowhere). */
  logFile?: string | null;
}

export interface Stack {
  url: string;
  cluster: DevClusterState;
  stateDir: string;
  /** The dashboard server's process id (its memory is sampled by the bench). */
  pid: number | null;
  logFile: string | null;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number, verbose: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const lines: string[] = [];
    const onLine = (line: string) => {
      lines.push(line);
      if (verbose) console.log(`[${what}] ${line}`);
      if (pattern.test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', (l) => {
      lines.push(l);
      if (verbose) console.error(`[${what}] ${l}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (code ${code}) before it was ready:\n${lines.slice(-30).join('\n')}`));
    });
  });
}

/** SIGTERM, then waits for the exit (the dev cluster removes its pods' files first); SIGKILL after timeoutMs. */
export function stopChild(child: ChildProcess | null, timeoutMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function startDevClusterProcess(opts: {
  stateDir: string;
  seed?: string;
  agents?: number;
  port?: number;
  verbose?: boolean;
}): Promise<{ state: DevClusterState; child: ChildProcess }> {
  rmSync(opts.stateDir, { recursive: true, force: true });
  mkdirSync(opts.stateDir, { recursive: true });
  const kubeconfig = path.join(opts.stateDir, 'kubeconfig');
  const args = ['devcluster/main.ts', '--port', String(opts.port ?? 0), '--kubeconfig', kubeconfig, '--seed', opts.seed ?? 'demo'];
  if (opts.agents) args.push('--agents', String(opts.agents));
  // This process owns the cluster: should it die without stopping it, the cluster stops itself.
  const child = spawn(bin('tsx'), args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEVCLUSTER_OWNER_PID: String(process.pid) },
  });
  // A big fleet takes longer to start: its pods start a few at a time.
  return waitForLine(child, /\bready\b/, 'devcluster', Math.max(120_000, (opts.agents ?? 0) * 600), opts.verbose ?? false).then(() => {
    const state = JSON.parse(readFileSync(path.join(opts.stateDir, 'devcluster.json'), 'utf8')) as DevClusterState;
    return { state: { ...state, kubeconfig }, child };
  });
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  if (!existsSync(path.join(root, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID')))
    throw new Error('No production build: run `npm run build` first.');
  const { state, child: clusterChild } = await startDevClusterProcess({
    stateDir: opts.stateDir,
    seed: opts.seed,
    agents: opts.agents,
    verbose: opts.verbose,
  });
  const url = `http://127.0.0.1:${opts.port}`;
  let second: { state: DevClusterState; child: ChildProcess } | null = null;
  let kubeconfigs = state.kubeconfig;
  let contexts = 'dashboard@devcluster';
  if (opts.secondCluster) {
    second = await startDevClusterProcess({ stateDir: `${opts.stateDir}-b`, seed: 'empty', verbose: opts.verbose });
    const renamed = renameKubeconfig(second.state.kubeconfig, '-b');
    kubeconfigs = `${state.kubeconfig}${path.delimiter}${renamed}`;
    contexts += ',dashboard@devcluster-b';
  }
  let rbac: Awaited<ReturnType<NonNullable<StackOptions['rbac']>>> | null = null;
  try {
    rbac = opts.rbac ? await opts.rbac(state) : null;
    for (const c of [state, second?.state]) if (c && rbac) await replaceDashboardRbac(c, rbac.objects);
  } catch (err) {
    await Promise.all([stopChild(clusterChild), stopChild(second?.child ?? null)]);
    throw err;
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...(rbac?.watchNamespaces ? { WATCH_NAMESPACES: rbac.watchNamespaces.join(',') } : {}),
    NODE_ENV: 'production',
    KUBECONFIG: kubeconfigs,
    KUBE_CONTEXTS: contexts,
    NEXTAUTH_URL: url,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    DEMO_PASSWORD: opts.demoPassword,
    DISCORD_API_BASE: state.discordUrl,
    AGENT_SELECTOR: state.seed?.codexSelector ?? demoAgentSelector(opts.agents),
    // The pods' codex signs in at the fake issuer (its wrapper adds --experimental_issuer).
    CODEX_LOGIN_ISSUER: state.issuerUrl,
    ...(opts.notifications && state.webhooks
      ? {
          NOTIFY_SLACK_WEBHOOK_URL: state.webhooks.urls.slack,
          NOTIFY_DISCORD_WEBHOOK_URL: state.webhooks.urls.discord,
          NOTIFY_WEBHOOK_URL: state.webhooks.urls.webhook,
          NOTIFY_INTERVAL_MS: '15000',
        }
      : {}),
    PORT: String(opts.port),
    ...opts.env,
  };
  const web = spawn(bin('next'), ['start', '-H', '127.0.0.1', '-p', String(opts.port)], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A copy of everything the dashboard prints: tests search it (secrets must never appear).
  const logFile = opts.logFile === undefined ? path.join(opts.stateDir, 'dashboard.log') : opts.logFile;
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    web.stdout!.pipe(log, { end: false });
    web.stderr!.pipe(log, { end: false });
    web.once('exit', () => log.end());
  }
  try {
    await waitForLine(web, /Ready in|started server|Local:/i, 'dashboard', 60_000, opts.verbose ?? false);
  } catch (err) {
    await Promise.all([stopChild(clusterChild), stopChild(second?.child ?? null)]);
    throw err;
  }
  return {
    url,
    cluster: state,
    stateDir: opts.stateDir,
    pid: web.pid ?? null,
    logFile,
    async stop() {
      await Promise.all([stopChild(web), stopChild(clusterChild), stopChild(second?.child ?? null)]);
    },
  };
}

const DASHBOARD_SA = { namespace: 'openab-dashboard', name: 'openab-dashboard' };

/** Puts RBAC objects in place of the dev cluster's default rules for the dashboard's service account. */
async function replaceDashboardRbac(state: DevClusterState, objects: object[]): Promise<void> {
  const client = devClusterClient(state);
  try {
    type Binding = { subjects: Array<{ kind: string; name: string; namespace?: string }> };
    const current = await client.call<{ bindings: Binding[] }>('GET', '/_devcluster/rbac');
    const isDashboard = (s: Binding['subjects'][number]) =>
      (s.kind === 'ServiceAccount' && s.name === DASHBOARD_SA.name && (s.namespace ?? 'default') === DASHBOARD_SA.namespace) ||
      (s.kind === 'User' && s.name === `system:serviceaccount:${DASHBOARD_SA.namespace}:${DASHBOARD_SA.name}`);
    const others = current.bindings.filter((b) => !b.subjects.some(isDashboard));
    await client.call('PUT', '/_devcluster/rbac', objects);
    await client.call('POST', '/_devcluster/rbac', { bindings: others });
  } finally {
    await client.close();
  }
}

/** A copy of a kubeconfig whose cluster, user and context names carry a suffix, so two merge. */
function renameKubeconfig(file: string, suffix: string): string {
  const doc = yaml.load(readFileSync(file, 'utf8')) as {
    clusters: Array<{ name: string }>;
    users: Array<{ name: string }>;
    contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
    'current-context'?: string;
  };
  for (const c of doc.clusters) c.name += suffix;
  for (const u of doc.users) u.name += suffix;
  for (const c of doc.contexts) {
    c.name += suffix;
    c.context.cluster += suffix;
    c.context.user += suffix;
  }
  if (doc['current-context']) doc['current-context'] += suffix;
  const out = `${file}${suffix}`;
  writeFileSync(out, yaml.dump(doc));
  return out;
}
