// The `signin-flood` part of `npm run bench`: how long a signed-in user waits for
// /api/auth/session (what the overview asks on every load) while BENCH_FLOOD_CONCURRENCY (40)
// clients post wrong passwords for made-up names as fast as they can, against the same latency
// without a flood (the baseline). Two floods: from many addresses (each attempt claims a new one
// through a trusted proxy hop, so no per-address lock helps: only hashing off the event loop,
// with bounded concurrency, does) and from one address (locked after its budget).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, ensureProductionBuild } from './bench-load';
import { startStack } from './stack';

const root = path.resolve(__dirname, '..');

export interface LatencyFigures {
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

export interface SignInFloodResult {
  concurrency: number;
  secondsPerPhase: number;
  baseline: LatencyFigures;
  floodManyAddresses: LatencyFigures & { attempts: Record<string, number>; ratio: number };
  floodOneAddress: LatencyFigures & { attempts: Record<string, number>; ratio: number };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] : 0;

function figures(times: number[]): LatencyFigures {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** One signed-in user asking for the session, one request after another, for `ms`. */
async function sessionLatencies(user: Client, ms: number): Promise<number[]> {
  const times: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t0 = performance.now();
    const res = await user.fetch('/api/auth/session');
    const body = (await res.json()) as { user?: { role?: string } };
    times.push(performance.now() - t0);
    if (!body.user?.role) throw new Error('the signed-in user lost the session during the bench');
  }
  return times;
}

/** Wrong passwords for made-up names from `concurrency` clients until `stop` resolves; outcomes counted. */
async function flood(base: string, concurrency: number, manyAddresses: boolean, stop: Promise<void>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let stopped = false;
  void stop.then(() => (stopped = true));
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const attacker = new Client(base);
      const { csrfToken } = (await (await attacker.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
      while (!stopped) {
        const i = n++;
        const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
        if (manyAddresses) headers['X-Forwarded-For'] = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const body = new URLSearchParams({ csrfToken, username: `made-up-${i}`, password: randomBytes(6).toString('hex'), json: 'true' });
        const res = await attacker.fetch('/api/auth/callback/local', { method: 'POST', body, headers });
        const text = await res.text();
        const error = /error=(\w+)/.exec(text)?.[1] ?? String(res.status);
        counts[error] = (counts[error] ?? 0) + 1;
      }
    }),
  );
  return counts;
}

export async function runSignInFloodBench(): Promise<SignInFloodResult> {
  const concurrency = Number(process.env.BENCH_FLOOD_CONCURRENCY ?? 40);
  const seconds = Number(process.env.BENCH_FLOOD_SECONDS ?? 10);
  const port = Number(process.env.BENCH_PORT ?? 3650);
  ensureProductionBuild();
  const password = randomBytes(12).toString('base64url');
  console.log(`Sign-in flood: starting the dashboard on port ${port}…`);
  // One trusted proxy hop: the many-addresses flood names its addresses in X-Forwarded-For, as
  // clients behind an Ingress appear; without that header Next.js gives the connection's address.
  const stack = await startStack({
    stateDir: path.join(root, '.devcluster', `bench-flood-${port}`),
    port,
    seed: 'empty',
    demoPassword: password,
    logFile: null,
    env: { TRUSTED_PROXY_HOPS: '1' },
  });
  try {
    const user = new Client(stack.url);
    await user.signIn('viewer', password);
    await sessionLatencies(user, 1_000); // warm-up: the first requests compile and load routes
    const baseline = figures(await sessionLatencies(user, seconds * 1000));
    console.log(`  no flood:            p50 ${baseline.p50} ms, p95 ${baseline.p95} ms (${baseline.samples} requests)`);
    const phase = async (manyAddresses: boolean) => {
      let stop!: () => void;
      const stopped = new Promise<void>((r) => (stop = r));
      const attempts = flood(stack.url, concurrency, manyAddresses, stopped);
      const times = await sessionLatencies(user, seconds * 1000);
      stop();
      const f = figures(times);
      return { ...f, attempts: await attempts, ratio: Number((f.p50 / Math.max(0.1, baseline.p50)).toFixed(1)) };
    };
    const floodManyAddresses = await phase(true);
    console.log(
      `  flood, many addresses: p50 ${floodManyAddresses.p50} ms, p95 ${floodManyAddresses.p95} ms; sign-ins ${JSON.stringify(floodManyAddresses.attempts)}`,
    );
    const floodOneAddress = await phase(false);
    console.log(
      `  flood, one address:    p50 ${floodOneAddress.p50} ms, p95 ${floodOneAddress.p95} ms; sign-ins ${JSON.stringify(floodOneAddress.attempts)}`,
    );
    return { concurrency, secondsPerPhase: seconds, baseline, floodManyAddresses, floodOneAddress };
  } finally {
    await stack.stop();
  }
}
