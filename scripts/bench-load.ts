// The load part of `npm run bench`: BENCH_LOAD_USERS signed-in users (HTTP clients with their
// own session cookies, signed in through next-auth's credentials flow) browse the overview and
// the galleries of a production build for BENCH_LOAD_SECONDS, with latency on every API request
// and exec, while an operator restarts agents and switches an approval mode back and forth.
// Reports errors, page times (p50/p95) and the dashboard process's memory over time.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from './stack';
import { devClusterClient } from './devcluster-client';

const root = path.resolve(__dirname, '..');
const TUNED = ['PROBE_CACHE_MS', 'IMAGE_CACHE_DIR', 'IMAGE_LIST_CACHE_MS'];
const CLUSTER_ID = 'dashboard@devcluster';

export interface LoadResult {
  users: number;
  seconds: number;
  latencyMs: number;
  pages: number;
  errors: number;
  errorSamples: string[];
  pageMs: { p50: number; p95: number; max: number };
  byKind: Record<string, { count: number; p50: number; p95: number }>;
  /** The overview's p95 against that of /signin (a page that does no cluster work) under the same load; goal <= 2. */
  overviewVsSignin: { overviewP95: number; signinP95: number; ratio: number; goal: number };
  /** Time to first byte of the overview under load (p50, p95): the page streams before its data is complete. */
  overviewTtfbMs: { p50: number; p95: number };
  /** The first overview after start-up, nothing probed yet: first byte against the whole page with every agent's facts. */
  firstOverview: { ttfbMs: number; completeMs: number; ratio: number; goal: string };
  /** The overview once warm, one person and no latency (median of 5): first byte and whole page. */
  quietOverview: { ttfbMs: number; completeMs: number };
  actions: { restarts: number; approvalEdits: number; failed: number; failures: string[] };
  memoryMb: { start: number; peak: number; end: number; samples: number };
}

/**
 * Builds the app (NEXT_DIST_DIR respected), leaving tsconfig as it was: a stale build would
 * measure old code. BENCH_SKIP_BUILD=1 reuses an existing build.
 */
export function ensureProductionBuild(): void {
  const dist = path.join(root, process.env.NEXT_DIST_DIR || '.next');
  if (process.env.BENCH_SKIP_BUILD && existsSync(path.join(dist, 'BUILD_ID'))) return;
  console.log(`Building the dashboard into ${path.relative(root, dist)}…`);
  const kept = ['tsconfig.json', 'tsconfig.app.json'].map((f) => [f, readFileSync(path.join(root, f), 'utf8')] as const);
  const run = spawnSync(path.join(root, 'node_modules/.bin/next'), ['build'], { cwd: root, stdio: 'inherit', env: process.env });
  // The build adds its dist dir's type paths to the tsconfig files; they are not ours to keep.
  for (const [f, text] of kept) writeFileSync(path.join(root, f), text);
  if (run.status !== 0) throw new Error(`next build failed (exit ${run.status})`);
}

export class Client {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(this.base + pathname, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.header() },
    });
    this.keep(res);
    return res;
  }

  /** next-auth's credentials flow: a CSRF token, then the callback sets the session cookie. */
  async signIn(username: string, password: string): Promise<void> {
    const { csrfToken } = (await (await this.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    const body = new URLSearchParams({ csrfToken, username, password, callbackUrl: `${this.base}/`, json: 'true' });
    const res = await this.fetch('/api/auth/callback/local', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await res.arrayBuffer();
    if (![...this.cookies.keys()].some((k) => k.endsWith('session-token')))
      throw new Error(`signing in ${username} failed (${res.status})`);
  }
}

function actionIds(): Record<string, { id: string; page: string }> {
  const manifest = JSON.parse(
    readFileSync(path.join(root, process.env.NEXT_DIST_DIR || '.next', 'server/server-reference-manifest.json'), 'utf8'),
  ) as {
    node: Record<string, { exportedName?: string; workers?: Record<string, unknown> }>;
  };
  const out: Record<string, { id: string; page: string }> = {};
  for (const [id, info] of Object.entries(manifest.node)) {
    const worker = Object.keys(info.workers ?? {}).find((w) => w.endsWith('/page')) ?? 'app/page';
    out[String(info.exportedName)] = { id, page: worker };
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] : 0;

/** RSS of a process and its descendants, in bytes, from /proc. */
export function rssOf(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
      for (const task of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(task));
    } catch {
      /* gone */
    }
  };
  visit(pid);
  return total;
}

/** One page: ms to its first byte (the response's headers) and to its last. */
async function timedPage(client: Client, pathname: string): Promise<{ ttfb: number; complete: number }> {
  const t0 = performance.now();
  const res = await client.fetch(pathname);
  const ttfb = performance.now() - t0;
  await res.arrayBuffer();
  return { ttfb, complete: performance.now() - t0 };
}

export async function runLoadBench(): Promise<LoadResult> {
  const users = Number(process.env.BENCH_LOAD_USERS ?? 20);
  const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
  const latencyMs = Number(process.env.BENCH_LOAD_LATENCY_MS ?? 25);
  const port = Number(process.env.BENCH_PORT ?? 3650);
  ensureProductionBuild();
  const password = randomBytes(12).toString('base64url');
  console.log(`Load: starting the demo stack on port ${port}…`);
  // The other bench parts tune this process's settings for their own in-process runs; the
  // dashboard under load gets its defaults.
  const saved = Object.fromEntries(TUNED.map((k) => [k, process.env[k]]));
  for (const k of TUNED) delete process.env[k];
  let stack: Stack;
  try {
    stack = await startStack({
      stateDir: path.join(root, '.devcluster', `bench-load-${port}`),
      port,
      demoPassword: password,
      logFile: null,
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
  const control = devClusterClient(stack.cluster);
  const memory: number[] = [];
  const sampler = setInterval(() => stack.pid && memory.push(rssOf(stack.pid)), 1_000);
  try {
    const seed = stack.cluster.seed?.agents ?? [];
    const agents = seed.filter((a) => a.codex && !a.crashLooping);
    const galleries = agents.map((a) => `/agents/${encodeURIComponent(CLUSTER_ID)}/${a.namespace}/${a.name}/images`);
    const names = ['viewer', 'support', 'operator', 'admin'];
    const clients = await Promise.all(
      Array.from({ length: users }, async (_, i) => {
        const c = new Client(stack.url);
        await c.signIn(names[i % names.length], password);
        return c;
      }),
    );
    const actor = new Client(stack.url);
    await actor.signIn('operator', password);
    // The first overview of a dashboard that knows nothing yet: its frame is sent at once, the
    // fleet streams in as the first probes return (the page never waits on a pod to start).
    const first = await timedPage(clients[0], '/');
    const firstOverview = {
      ttfbMs: Math.round(first.ttfb),
      completeMs: Math.round(first.complete),
      ratio: Number((first.ttfb / first.complete).toFixed(2)),
      goal: '<= 0.1',
    };
    // Warm the server once (first loads of each route), then turn latency on.
    for (const p of ['/images', galleries[0]]) await (await clients[0].fetch(p)).arrayBuffer();
    // The overview again, one person, nothing else running: every fact known, no latency.
    const quiet: Array<{ ttfb: number; complete: number }> = [];
    for (let i = 0; i < 5; i++) quiet.push(await timedPage(clients[1], '/'));
    const quietOverview = {
      ttfbMs: Math.round(
        percentile(
          quiet.map((q) => q.ttfb).sort((a, b) => a - b),
          0.5,
        ),
      ),
      completeMs: Math.round(
        percentile(
          quiet.map((q) => q.complete).sort((a, b) => a - b),
          0.5,
        ),
      ),
    };
    await control.knobs({ latencyMs, execLatencyMs: latencyMs });
    if (stack.pid) memory.push(rssOf(stack.pid));
    console.log(`Load: ${users} users for ${seconds} s, ${latencyMs} ms latency per request and exec, ${agents.length} agents`);

    const times: Array<{ kind: string; ms: number }> = [];
    const errors: string[] = [];
    const until = Date.now() + seconds * 1000;
    const ttfb: number[] = [];
    const get = async (c: Client, kind: string, p: string): Promise<string | null> => {
      const t0 = performance.now();
      try {
        const res = await c.fetch(p);
        if (kind === 'overview') ttfb.push(performance.now() - t0);
        const body = Buffer.from(await res.arrayBuffer());
        times.push({ kind, ms: performance.now() - t0 });
        if (res.status !== 200) {
          errors.push(`${kind} ${p}: ${res.status}`);
          return null;
        }
        return kind === 'thumbnail' ? '' : body.toString('utf8');
      } catch (err) {
        errors.push(`${kind} ${p}: ${(err as Error).message}`);
        return null;
      }
    };
    // A visitor who is not signed in, beside each user: /signin does no cluster work, so its
    // time under the same load is what the machine alone costs a page.
    const visitors = clients.map(() => new Client(stack.url));
    const browse = async (c: Client, i: number) => {
      for (let step = i; Date.now() < until; step++) {
        await get(c, 'overview', '/');
        if (Date.now() >= until) break;
        await get(visitors[i], 'signin', '/signin');
        if (Date.now() >= until) break;
        await get(c, 'fleet-api', '/api/fleet');
        if (Date.now() >= until) break;
        const html = await get(c, 'gallery', step % 3 === 0 ? '/images' : galleries[step % galleries.length]);
        const thumb = html ? /\/api\/images\/[^"'\s\\]+?\/thumbnail\?[^"'\s\\]+/.exec(html)?.[0]?.replace(/&amp;/g, '&') : null;
        if (thumb && Date.now() < until) await get(c, 'thumbnail', thumb);
      }
    };

    // The operator's work meanwhile: a restart every 10 s (a different agent each time) and an
    // approval-mode switch every 4 s on one agent (compare-and-swap: a stale hash is answered
    // with the current one, then the switch goes through).
    const ids = actionIds();
    const actions = { restarts: 0, approvalEdits: 0, failed: 0, failures: [] as string[] };
    // Posted to the agent's own page, as its buttons do (Next runs an action on a page that holds it).
    const post = async (name: string, input: { namespace: string; name: string; [k: string]: unknown }): Promise<string> => {
      const a = ids[name];
      if (!a) throw new Error(`the build has no server action ${name}`);
      const page = a.page.includes('[cluster]') ? `/agents/${encodeURIComponent(CLUSTER_ID)}/${input.namespace}/${input.name}` : '/';
      const res = await actor.fetch(page, {
        method: 'POST',
        body: JSON.stringify([input]),
        headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8' },
      });
      return res.text();
    };
    const editable = agents.find((a) => (a.approval === 'manual' || a.approval === 'auto-review') && a.configLoads);
    const restartable = agents.filter((a) => a !== editable);
    const operatorWork = async () => {
      let hash = '0'.repeat(64);
      let mode = editable?.approval ?? 'manual';
      let tick = 0;
      while (Date.now() < until) {
        if (tick % 5 === 2 && restartable.length) {
          const a = restartable[actions.restarts % restartable.length];
          const body = await post('restartAgentAction', { clusterId: CLUSTER_ID, namespace: a.namespace, name: a.name });
          actions.restarts++;
          if (!body.includes('"ok":true')) {
            actions.failed++;
            actions.failures.push(`restart: ${/"error":"([^"]*)"/.exec(body)?.[1] ?? body.slice(0, 120)}`);
          }
        } else if (editable && tick % 2 === 0) {
          for (let attempt = 0; attempt < 2; attempt++) {
            const to = mode === 'manual' ? 'auto-review' : 'manual';
            const body = await post('setApprovalModeAction', {
              clusterId: CLUSTER_ID,
              namespace: editable.namespace,
              name: editable.name,
              mode: to,
              baseHash: hash,
              replaceCustom: false,
            });
            const status = /"status":"([\w-]+)"/.exec(body)?.[1];
            hash = /"hash":"([0-9a-f]{64}|missing)"/.exec(body)?.[1] ?? hash;
            if (status === 'conflict') {
              mode = (/"current":"([\w-]+)"/.exec(body)?.[1] as typeof mode) ?? mode;
              continue;
            }
            if (status === 'changed' || status === 'unchanged') {
              mode = to;
              actions.approvalEdits++;
            } else {
              actions.failed++;
              actions.failures.push(`approval: ${/"error":"([^"]*)"/.exec(body)?.[1] ?? body.slice(0, 120)}`);
            }
            break;
          }
        }
        tick++;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    };

    await Promise.all([...clients.map((c, i) => browse(c, i)), operatorWork()]);
    if (stack.pid) memory.push(rssOf(stack.pid));
    const all = times.map((t) => t.ms).sort((a, b) => a - b);
    const byKind: LoadResult['byKind'] = {};
    for (const kind of [...new Set(times.map((t) => t.kind))]) {
      const ms = times
        .filter((t) => t.kind === kind)
        .map((t) => t.ms)
        .sort((a, b) => a - b);
      byKind[kind] = { count: ms.length, p50: Math.round(percentile(ms, 0.5)), p95: Math.round(percentile(ms, 0.95)) };
    }
    const mb = (b: number) => Math.round(b / 1024 / 1024);
    const result: LoadResult = {
      users,
      seconds,
      latencyMs,
      pages: times.length,
      errors: errors.length,
      errorSamples: [...new Set(errors)].slice(0, 5),
      pageMs: { p50: Math.round(percentile(all, 0.5)), p95: Math.round(percentile(all, 0.95)), max: Math.round(all.at(-1) ?? 0) },
      byKind,
      overviewVsSignin: {
        overviewP95: byKind.overview?.p95 ?? 0,
        signinP95: byKind.signin?.p95 ?? 0,
        ratio: Number(((byKind.overview?.p95 ?? 0) / Math.max(1, byKind.signin?.p95 ?? 0)).toFixed(2)),
        goal: 2,
      },
      overviewTtfbMs: (() => {
        const sorted = [...ttfb].sort((a, b) => a - b);
        return { p50: Math.round(percentile(sorted, 0.5)), p95: Math.round(percentile(sorted, 0.95)) };
      })(),
      firstOverview,
      quietOverview,
      actions: { ...actions, failures: [...new Set(actions.failures)].slice(0, 5) },
      memoryMb: { start: mb(memory[0] ?? 0), peak: mb(Math.max(0, ...memory)), end: mb(memory.at(-1) ?? 0), samples: memory.length },
    };
    console.log(
      `load: ${result.pages} pages by ${users} users in ${seconds} s, ${result.errors} errors; p50 ${result.pageMs.p50} ms, p95 ${result.pageMs.p95} ms; ` +
        `overview p95 ${result.overviewVsSignin.overviewP95} ms vs /signin p95 ${result.overviewVsSignin.signinP95} ms (${result.overviewVsSignin.ratio}x, goal <= 2x and < 500 ms); overview TTFB p50 ${result.overviewTtfbMs.p50} ms; ` +
        `first overview after start-up: first byte ${firstOverview.ttfbMs} ms of ${firstOverview.completeMs} ms (${firstOverview.ratio}, goal <= 0.1), once warm ${quietOverview.ttfbMs} ms of ${quietOverview.completeMs} ms; ` +
        `${actions.restarts} restarts and ${actions.approvalEdits} approval edits (${actions.failed} failed); dashboard RSS ${result.memoryMb.start} → peak ${result.memoryMb.peak} → ${result.memoryMb.end} MB`,
    );
    return result;
  } finally {
    clearInterval(sampler);
    await control.knobs({ latencyMs: 0, execLatencyMs: 0 }).catch(() => undefined);
    await control.close();
    await stack.stop();
  }
}

// `npx tsx scripts/bench-load.ts` runs the load part alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  runLoadBench().then(
    (r) => console.log(JSON.stringify({ load: r })),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
