// The image, without a Docker engine: the Dockerfile's properties checked statically, and its
// runtime stage played out — the files its COPY lines take from a real `next build` put in a
// fresh folder, read-only, then the server started there as a non-root user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAll } from 'js-yaml';

const root = path.resolve(__dirname, '..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(root, '.dockerignore'), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  base: string;
  name: string | null;
  instructions: Instruction[];
}

/** Instructions (line continuations joined, comments dropped), grouped by stage. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = op.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      args[k.trim()] = (v ?? '').trim();
    } else if (upper === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      const base = m[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '');
      stages.push({ base, name: m[2] ?? null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: rest });
    }
  }
  return { args, stages };
}

/** COPY's flags, sources and destination. */
function parseCopy(args: string): { from: string | null; sources: string[]; dest: string } {
  const parts = args.split(/\s+/);
  const flags = parts.filter((p) => p.startsWith('--'));
  const paths = parts.filter((p) => !p.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length) ?? null;
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** .dockerignore semantics enough for this file: globs with * and **, a match on a folder excludes what is inside. */
function ignoredByDockerignore(rel: string): boolean {
  const patterns = dockerignore
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const toRegex = (p: string) =>
    new RegExp(
      '^' +
        p
          .replace(/\/$/, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '\u0000')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')
          .replace(/\u0000/g, '(?:.*/)?') +
        '$',
    );
  const segments = rel.split('/');
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  return patterns.some((p) => prefixes.some((prefix) => toRegex(p).test(prefix)));
}

const { stages } = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const buildStage = (name: string) => stages.find((s) => s.name === name)!;
const workdir = (s: Stage) => s.instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';

describe('Dockerfile', () => {
  it('is multi-stage: npm ci in one stage, next build in another, a runtime stage apart', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const runs = (s: Stage) =>
      s.instructions
        .filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join('\n');
    expect(stages.some((s) => s !== runtime && /\bnpm ci\b/.test(runs(s)))).toBe(true);
    expect(stages.some((s) => s !== runtime && /\bnext build\b/.test(runs(s)))).toBe(true);
    // The runtime installs nothing from npm: no dev dependencies can get in.
    expect(runs(runtime)).not.toMatch(/\bnpm\b|\bnpx\b|\byarn\b|\bpnpm\b/);
  });

  it('runs on a glibc Node base (sharp ships linux-x64 glibc binaries in the standalone output)', () => {
    expect(runtime.base).toMatch(/^node:20[-.\w]*$/);
    expect(runtime.base).not.toMatch(/alpine/);
    expect(stages.every((s) => !/alpine/.test(s.base))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('the runtime stage copies only the standalone server, static assets and public files from the build', () => {
    const copies = runtime.instructions.filter((i) => i.op === 'COPY' || i.op === 'ADD').map((i) => ({ op: i.op, ...parseCopy(i.args) }));
    expect(copies.map((c) => c.op)).toEqual(['COPY', 'COPY', 'COPY']);
    const buildDir = workdir(buildStage(copies[0].from!));
    expect(copies.map((c) => [c.from, c.sources.map((s) => path.posix.relative(buildDir, s)), c.dest])).toEqual([
      ['build', ['.next/standalone'], './'],
      ['build', ['.next/static'], './.next/static'],
      ['build', ['public'], './public'],
    ]);
    expect(runtime.instructions.find((i) => i.op === 'CMD')?.args).toBe('["node", "server.js"]');
  });

  it('copies no dev cluster, tests or local state into any stage', () => {
    for (const s of stages)
      for (const i of s.instructions.filter((x) => x.op === 'COPY' || x.op === 'ADD'))
        expect(i.args).not.toMatch(/devcluster|e2e|\.devcluster|test-results/);
    for (const rel of [
      'devcluster',
      'devcluster/api/server.ts',
      'e2e',
      'e2e/agent.spec.ts',
      'docs',
      'node_modules',
      '.next',
      '.next-ship',
      '.devcluster',
      'test-results',
      'lib/k8s/events.test.ts',
      '.git',
    ])
      expect(ignoredByDockerignore(rel), rel).toBe(true);
    // What `next build` needs stays in the context.
    for (const rel of [
      'app/page.tsx',
      'components',
      'lib/k8s/exec.ts',
      'proxy.ts',
      'next.config.ts',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.app.json',
      'postcss.config.mjs',
    ])
      expect(ignoredByDockerignore(rel), rel).toBe(false);
  });

  it('declares a health check on the same path as the chart probes', () => {
    const health = runtime.instructions.find((i) => i.op === 'HEALTHCHECK')?.args ?? '';
    const values = loadAll(readFileSync(path.join(root, 'charts/openab-dashboard/values.yaml'), 'utf8'))[0] as { probes: { path: string } };
    expect(health).toContain(`127.0.0.1:3000${values.probes.path}`);
    expect(runtime.instructions.some((i) => i.op === 'EXPOSE' && i.args === '3000')).toBe(true);
    expect(runtime.instructions.find((i) => i.op === 'ENV')?.args).toMatch(/HOSTNAME=0\.0\.0\.0/);
  });
});

// The runtime stage, played out on this machine's build (NEXT_DIST_DIR or .next): runs when a
// standalone build is there (`npm test` builds before its browser tests; run this after a build).
const distDir = process.env.NEXT_DIST_DIR || '.next';
const standalone = path.join(root, distDir, 'standalone', 'server.js');
const haveBuild = existsSync(standalone) && existsSync(path.join(root, distDir, 'BUILD_ID'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Can a user other than the owner walk down to dir? The image's user must reach its /app, so a
 * TMPDIR inside a private (0700) directory will not do for the copy.
 */
function reachableByAll(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/** As the image's user (uid 1001) when we can switch to it, so write permissions are real. */
function asImageUser(argv: string[]): string[] {
  const setpriv = '/usr/bin/setpriv';
  return process.getuid?.() === 0 && existsSync(setpriv) ? [setpriv, '--reuid=1001', '--regid=1001', '--clear-groups', ...argv] : argv;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    out.push(full);
    if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) walk(full, out);
  }
  return out;
}

interface Started {
  server: ChildProcess;
  port: number;
  /** Everything it printed so far. */
  output: string;
}

describe.skipIf(!haveBuild)('the runtime stage, played out on the local build', () => {
  let tmp: string;
  let app: string;
  /** The server as the image starts it. */
  let main: Started | null = null;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(reachableByAll(os.tmpdir()) ? os.tmpdir() : '/tmp', 'image-runtime-'));
    chmodSync(tmp, 0o755);
    app = path.join(tmp, 'app');
    mkdirSync(app);
    // The image's WORKDIR is /app; the build stage's paths map onto this checkout, and `.next`
    // onto the dist dir this build used (a local build may use another name than the image's).
    const buildDir = workdir(buildStage('build'));
    const toLocal = (p: string) => p.replace(/(^|\/)\.next(\/|$)/, `$1${distDir}$2`);
    for (const i of runtime.instructions.filter((x) => x.op === 'COPY')) {
      const c = parseCopy(i.args);
      const dest = path.join(app, toLocal(c.dest));
      for (const src of c.sources) {
        const local = path.join(root, toLocal(path.posix.relative(buildDir, src)));
        // The build stage makes `public` when the repository has none.
        if (!existsSync(local) && path.basename(local) === 'public') mkdirSync(dest, { recursive: true });
        // As COPY does: a symbolic link is copied as it stands (Next's standalone output links
        // its external packages relatively); resolving it would point back into this checkout,
        // which the image's user may not reach (a clone under a 0700 directory, or /root).
        else cpSync(local, c.dest === './' ? app : dest, { recursive: true, verbatimSymlinks: true });
      }
    }
    // Read-only for the app's user, but for the two emptyDirs of the chart.
    const cacheDir = path.join(app, distDir, 'cache');
    const scratch = path.join(tmp, 'scratch');
    mkdirSync(cacheDir, { recursive: true });
    mkdirSync(scratch);
    for (const f of [app, ...walk(app)]) chmodSync(f, statSync(f).isDirectory() ? 0o755 : statSync(f).mode & 0o555);
    for (const d of [cacheDir, scratch]) {
      chmodSync(d, 0o777);
    }
    main = await startServer([]);
  });

  /** The image's CMD (`node server.js`) as its user, with node flags and settings added. */
  async function startServer(nodeArgs: string[], env: Record<string, string> = {}): Promise<Started> {
    const port = await freePort();
    const argv = asImageUser([process.execPath, ...nodeArgs, 'server.js']);
    const child = spawn(argv[0], argv.slice(1), {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        HOSTNAME: '127.0.0.1',
        PORT: String(port),
        TMPDIR: path.join(tmp, 'scratch'),
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        NEXTAUTH_SECRET: 'image-test-secret-image-test-secret',
        DEMO_PASSWORD: 'image-test',
        KUBECONFIG: path.join(tmp, 'no-kubeconfig'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started: Started = { server: child, port, output: '' };
    child.stdout!.on('data', (d) => (started.output += d));
    child.stderr!.on('data', (d) => (started.output += d));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server.js exited (${child.exitCode}):\n${started.output}`);
      if (/Ready in|started server/i.test(started.output)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return started;
  }

  async function stopServer(child: ChildProcess | null): Promise<void> {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  afterAll(async () => {
    await stopServer(main?.server ?? null);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds no link that leads out of the image', () => {
    const outside = walk(app)
      .filter((f) => lstatSync(f).isSymbolicLink())
      .map((f) => ({ link: path.relative(app, f), target: path.resolve(path.dirname(f), readlinkSync(f)) }))
      .filter(({ target }) => path.relative(app, target).startsWith('..') || !existsSync(target));
    expect(outside).toEqual([]);
  });

  it('holds no dev cluster, test code or dev-only packages', () => {
    const rels = walk(app).map((f) => path.relative(app, f));
    expect(rels.filter((r) => /(^|\/)(devcluster|e2e|\.devcluster)(\/|$)/.test(r))).toEqual([]);
    const packages = readdirSync(path.join(app, 'node_modules'));
    for (const dev of [
      'typescript',
      'vitest',
      '@playwright',
      'playwright',
      '@openai',
      '@aws-cdk',
      'oidc-provider',
      'tsx',
      'tailwindcss',
      '@tailwindcss',
    ])
      expect(packages, dev).not.toContain(dev);
  });

  it("resolves sharp and its native linux binary, and converts an image, as the image's user", () => {
    const script =
      "const sharp = require('sharp'); sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).png().toBuffer().then((b) => console.log(require.resolve('sharp') + ' ' + b.length))";
    const argv = asImageUser([process.execPath, '-e', script]);
    const res = spawnSync(argv[0], argv.slice(1), {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    });
    expect(res.stderr).toBe('');
    const [resolved, bytes] = res.stdout.trim().split(' ');
    expect(resolved.startsWith(path.join(app, 'node_modules', 'sharp'))).toBe(true);
    expect(Number(bytes)).toBeGreaterThan(0);
  });

  it('serves /signin with 200, its static assets, and the probe path, from a read-only tree', async () => {
    expect(main!.server.exitCode, main!.output).toBeNull();
    const signin = await fetch(`http://127.0.0.1:${main!.port}/signin`);
    const html = await signin.text();
    expect(signin.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain('Sign in');
    const asset = /\/_next\/static\/[^"'\s]+\.(?:js|css)/.exec(html)?.[0];
    expect(asset).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${main!.port}${asset}`)).status).toBe(200);
    const probe = await fetch(`http://127.0.0.1:${main!.port}/api/auth/providers`);
    expect(probe.status).toBe(200);
    expect(Object.keys((await probe.json()) as object)).toContain('local');
    expect(main!.output).not.toMatch(/EACCES|EROFS/);
  });

  it('sizes its V8 heap as HEAP_GROWING_PERCENT says, from its start-up hook (instrumentation.ts)', async () => {
    // V8 prints each new old-generation limit with the growing factor it used. 150% gives a
    // factor of 2.5, which V8's own rule does not pick; --gc-interval forces collections
    // after start-up, while /signin is served.
    const tuned = await startServer(['--trace-gc-verbose', '--gc-interval=1000000'], { HEAP_GROWING_PERCENT: '150' });
    try {
      expect((await fetch(`http://127.0.0.1:${tuned.port}/signin`)).status).toBe(200);
      const factors = [...tuned.output.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((m) => m[1]);
      expect(factors, tuned.output.slice(-2000)).toContain('2.5');
    } finally {
      await stopServer(tuned.server);
    }
  });
});
