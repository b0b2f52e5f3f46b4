// The demo's dev cluster started by an ordinary user (uid 1001), as most people try a demo on a
// laptop: without root its pods are user-namespace sandboxes, a weaker mode it must name; it
// builds its seed as that user, serves, and stops without leaving a process behind. And the pods'
// image, which root builds with mmdebstrap, builds without root too (unshare mode), once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineCacheDir } from './runtime/machine-cache';
import { IMAGE_NODE_VERSION } from './runtime/pod-image';
import { describeIsolation } from './runtime/types';

const ROOT = path.resolve(__dirname, '..');
const UID = 1001;
const BWRAP = '/usr/bin/bwrap';
const SETPRIV = '/usr/bin/setpriv';
// Root runs the test; the checkout may lie in a private directory (/root, a 0700 temp dir) the
// user cannot reach, so it is bound, as it is, at a path the user can.
const canRun = process.platform === 'linux' && process.getuid?.() === 0 && existsSync(BWRAP) && existsSync(SETPRIV);

/** Processes whose environment holds the marker (the dev cluster's plain pods carry its pid). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        readFileSync(`/proc/${entry}/environ`, 'latin1')
          .split('\0')
          .some((v) => v.startsWith(marker))
      )
        found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * The user as `useradd` makes one: an account (newuidmap and mmdebstrap look the user up by name)
 * and a subordinate uid and gid range. In a copy of /etc, bound over it only inside the test's
 * mount namespace: the machine is left as it was, whoever uid 1001 is on it (or nobody).
 */
function userEtc(dir: string, home: string): string {
  const name = 'openab-demo';
  cpSync('/etc', dir, { recursive: true, verbatimSymlinks: true });
  const file = (f: string) => path.join(dir, f);
  const read = (f: string) => (existsSync(file(f)) ? readFileSync(file(f), 'utf8') : '');
  const others = read('passwd')
    .split('\n')
    .filter((line) => line && line.split(':')[2] !== String(UID));
  writeFileSync(file('passwd'), [...others, `${name}:x:${UID}:${UID}:demo user:${home}:/bin/sh`, ''].join('\n'));
  for (const f of ['subuid', 'subgid']) writeFileSync(file(f), `${read(f)}${name}:300000:65536\n`);
  return dir;
}

describe.skipIf(!canRun)('the demo dev cluster, started by an ordinary user', () => {
  const scratch = mkdtempSync(path.join('/tmp', 'non-root-demo-'));
  const home = path.join(scratch, 'home');
  const mount = path.join(scratch, 'checkout');
  const sharedCache = path.join(scratch, 'machine-cache');
  let child: ChildProcess | null = null;

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  });

  beforeAll(() => {
    chmodSync(scratch, 0o755);
    mkdirSync(home);
    mkdirSync(mount);
    mkdirSync(sharedCache);
    chownSync(home, UID, UID);
  });

  it('starts in the weaker mode it names, serves its fleet, and leaves no process when stopped', async () => {
    const kubeconfig = path.join(home, 'kubeconfig');
    const env = {
      NODE_ENV: 'development' as const,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TMPDIR: home,
      // A small pool, made by this user: the first start as someone else than root.
      OPENAB_SEED_CACHE_DIR: path.join(home, 'seed-cache'),
      // The machine's Codex versions and pods' image (root's, read-only): building the image as
      // this user is the second test's.
      OPENAB_CACHE_DIR: sharedCache,
      OPENAB_SEED_POOL_SIZE: '6',
      OPENAB_SEED_REAL_SESSIONS: '0',
    };
    const argv = [
      '--dev-bind',
      '/',
      '/',
      '--bind',
      ROOT,
      mount,
      '--ro-bind',
      machineCacheDir(),
      sharedCache,
      '--chdir',
      mount,
      '--die-with-parent',
      '--',
      SETPRIV,
      `--reuid=${UID}`,
      `--regid=${UID}`,
      '--clear-groups',
      path.join(mount, 'node_modules/.bin/tsx'),
      'devcluster/main.ts',
      '--port',
      '0',
      '--kubeconfig',
      kubeconfig,
      '--seed',
      'demo',
      '--agents',
      '6',
    ];
    child = spawn(BWRAP, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => {
        const timer = setInterval(() => {
          if (/devcluster ready at/.test(output)) {
            clearInterval(timer);
            resolve(true);
          }
        }, 200);
        void exited.then(() => {
          clearInterval(timer);
          resolve(false);
        });
      }),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 150_000)),
    ]);
    expect(ready, output.slice(-3000)).toBe(true);
    // The weaker mode, named in one line.
    expect(output).toContain(describeIsolation('user-namespace', null));

    // It serves: the fleet's pods run, as processes of this user.
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    let running = 0;
    for (let i = 0; i < 100 && running === 0; i++) {
      running = (await core.listPodForAllNamespaces({})).items.filter((p) => p.status?.phase === 'Running').length;
      if (running === 0) await new Promise((r) => setTimeout(r, 300));
    }
    expect(running).toBeGreaterThan(0);
    const devclusterPid = Number(JSON.parse(readFileSync(path.join(home, 'devcluster.json'), 'utf8')).pid);
    // A process left running in a pod (as a device login is): it must not outlive the cluster.
    const pod = (await core.listPodForAllNamespaces({})).items.find((p) => p.status?.phase === 'Running')!;
    await new Promise<void>((resolve, reject) => {
      new k8s.Exec(kc)
        .exec(
          pod.metadata!.namespace!,
          pod.metadata!.name!,
          'openab',
          ['sh', '-c', 'sleep 600 >/dev/null 2>&1 & echo started'],
          null,
          null,
          null,
          false,
          () => resolve(),
        )
        .catch(reject);
    });
    const podMarker = `DEVCLUSTER_POD_ID=${devclusterPid}-`;
    const pods = processesWith(podMarker);
    expect(pods.length).toBeGreaterThan(0);
    for (const pid of pods) expect(spawnSync('stat', ['-c', '%u', `/proc/${pid}`], { encoding: 'utf8' }).stdout.trim()).toBe(String(UID));

    // Stopped as Ctrl+C stops it (the signal reaches the dev cluster's own process): it exits,
    // and nothing of it stays.
    process.kill(devclusterPid, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000))]);
    expect(code, output.slice(-2000)).not.toBe('hung');
    expect(processesWith(podMarker)).toEqual([]);
    expect(existsSync(`/proc/${devclusterPid}`)).toBe(false);
  }, 240_000);

  it("builds the pods' image without root (mmdebstrap in a user namespace), owned by the user, and reuses it", async () => {
    const cache = path.join(scratch, 'build-cache');
    mkdirSync(cache);
    chownSync(cache, UID, UID);
    const accounts = userEtc(path.join(scratch, 'etc'), home);
    // The machine's own settings (a proxy's CA for npm, say) as a user's shell would have them.
    // (not npm's own variables of this run, which point at root's npm cache).
    const own = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const env = { ...own, NODE_ENV: 'test' as const, HOME: home, TMPDIR: home, OPENAB_CACHE_DIR: cache };
    const asUser = (argv: string[]) =>
      new Promise<{ code: number | null; output: string; ms: number }>((resolve) => {
        const started = Date.now();
        // Not through bubblewrap, which sets no_new_privs: mmdebstrap's unshare mode needs the
        // setuid newuidmap, as on a laptop. A private mount namespace makes the checkout reachable
        // and gives the user the account and subordinate ranges useradd would (see userFiles).
        const bindThenRun = 'mount --bind "$1" "$2" && mount --bind "$3" /etc && cd "$2" && shift 3 && exec "$@"';
        const run = spawn(
          'unshare',
          [
            '--mount',
            '--propagation',
            'private',
            '--kill-child',
            '--',
            '/bin/sh',
            '-c',
            bindThenRun,
            'sh',
            ROOT,
            mount,
            accounts,
            SETPRIV,
            `--reuid=${UID}`,
            `--regid=${UID}`,
            '--clear-groups',
            ...argv,
          ],
          {
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let output = '';
        run.stdout.on('data', (d) => (output += d));
        run.stderr.on('data', (d) => (output += d));
        run.once('close', (code) => resolve({ code, output, ms: Date.now() - started }));
      });
    const build = [
      path.join(mount, 'node_modules/.bin/tsx'),
      '--eval',
      "console.log('IMAGE ' + require('./devcluster/runtime/pod-image').ensurePodImage(console.log))",
    ];
    const first = await asUser(build);
    expect(first.code, first.output.slice(-2000)).toBe(0);
    const root = /IMAGE (\S+)/.exec(first.output)![1];
    expect(root.startsWith(cache)).toBe(true);
    // Every file is the user's (unpacked from mmdebstrap's tarball), and the image runs for them.
    expect(spawnSync('find', [root, '!', '-uid', String(UID), '-print', '-quit'], { encoding: 'utf8' }).stdout).toBe('');
    const node = await asUser([
      BWRAP,
      '--unshare-user',
      '--ro-bind',
      path.join(root, 'usr'),
      '/usr',
      '--symlink',
      'usr/lib',
      '/lib',
      '--symlink',
      'usr/lib64',
      '/lib64',
      '--symlink',
      'usr/bin',
      '/bin',
      '--ro-bind',
      path.join(root, 'etc'),
      '/etc',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--',
      '/usr/local/bin/node',
      '-p',
      'process.version + " " + require("fs").readFileSync("/etc/debian_version", "utf8").trim()',
    ]);
    expect(node.output).toMatch(new RegExp(`^v${IMAGE_NODE_VERSION.replace(/\./g, '\\.')} 12\\.`));
    // A second start finds it built: no second build.
    const stamp = readFileSync(path.join(path.dirname(root), '.complete'), 'utf8');
    const again = await asUser(build);
    expect(again.output).toContain(`IMAGE ${root}`);
    expect(again.output).not.toMatch(/building the pods' image/);
    expect(readFileSync(path.join(path.dirname(root), '.complete'), 'utf8')).toBe(stamp);
    console.log(`pods' image built without root in ${Math.round(first.ms / 1000)} s, reused in ${again.ms} ms`);
  }, 900_000);
});
