// Pods as bubblewrap containers: one long-lived init per pod owning its PID,
// mount, UTS and IPC namespaces; every exec joins them with nsenter.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, lstatSync, promises as fs, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { codexPlatformPackageDir } from './codex-wrapper';
import { codexModulesFor, codexVersionOfImage } from './codex-versions';
import { failedExec } from './plain';
import {
  CODEX_LAUNCHER,
  CODEX_ROOT,
  CODEX_ROOT_FOR_WRAPPER,
  DEFAULT_PATH,
  EXEC_SHIM_PATH,
  POD_GID,
  POD_UID,
  writeSandboxFiles,
  type SandboxFiles,
} from './sandbox-files';
import type { ExecProcess, ExecResult, PodHandle, PodRuntime, PodSandboxSpec } from './types';

const BWRAP = '/usr/bin/bwrap';
const NSENTER = '/usr/bin/nsenter';
const START_TIMEOUT_MS = 10_000;

/** Why bubblewrap pods cannot run here, or null when they can. */
export function bwrapUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (entering a pod with nsenter needs it)';
  for (const tool of [BWRAP, NSENTER]) if (!existsSync(tool)) return `${tool} is missing`;
  if (!codexPlatformPackageDir()) return 'the Codex platform package is missing';
  const probe = spawnSync(BWRAP, ['--unshare-pid', '--unshare-uts', '--ro-bind', '/', '/', '--proc', '/proc', '--', '/bin/true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 5_000,
  });
  if (probe.status !== 0) return `bwrap cannot run: ${probe.stderr?.toString().trim() || probe.error?.message || `exit ${probe.status}`}`;
  return null;
}

/** Top-level entries of a root that a pod's own mounts replace. */
const POD_OWNED = new Set(['proc', 'dev', 'sys', 'tmp', 'home']);

/**
 * The pod's system directories: the pods' image when it is built (see pod-image.ts), else the
 * host's own (a weaker stand-in the dev cluster names on start-up). The sandbox root is a
 * tmpfs, so homes and mount points outside these directories can be made freely.
 */
function systemRootArgs(imageRoot: string | null): string[] {
  const root = imageRoot ?? '/';
  const names = imageRoot ? readdirSync(imageRoot) : ['usr', 'bin', 'lib', 'lib64', 'lib32', 'libx32', 'sbin', 'etc'];
  const args: string[] = [];
  for (const name of names.filter((n) => !POD_OWNED.has(n))) {
    const dir = path.join(root, name);
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), `/${name}`);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, `/${name}`);
  }
  return args;
}

/**
 * The bwrap arguments that make a pod's root: the system directories (the image's or the
 * host's), the image's additions the host lacks, the dev cluster's `codex` command and exec shim.
 * Shared by both bubblewrap runtimes (this one and rootless.ts).
 */
export function podRootArgs(files: SandboxFiles, imageRoot: string | null): string[] {
  return [
    ...systemRootArgs(imageRoot),
    ...(imageRoot
      ? []
      : [
          // The host's /usr/local holds machine tools; an image's holds node and the codex command.
          '--tmpfs',
          '/usr/local',
          '--dir',
          '/usr/local/bin',
          '--ro-bind',
          process.execPath,
          '/usr/local/bin/node',
          // Parents made implicitly by a bind are mode 0700, closed to the pod's user.
          ...[CODEX_ROOT, path.posix.dirname(EXEC_SHIM_PATH), path.posix.dirname(CODEX_ROOT_FOR_WRAPPER), CODEX_ROOT_FOR_WRAPPER].flatMap(
            (dir) => ['--dir', dir],
          ),
          // As `npm install -g` links it (the image has the same symlink).
          '--symlink',
          path.posix.relative('/usr/local/bin', CODEX_LAUNCHER),
          '/usr/local/bin/codex',
          '--ro-bind',
          files.passwd,
          '/etc/passwd',
          '--ro-bind',
          files.group,
          '/etc/group',
        ]),
    '--ro-bind',
    files.execShim,
    EXEC_SHIM_PATH,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
  ];
}

/**
 * The Codex version the pod's image names, bound where `npm install -g` would have put it, with
 * the dev cluster's `codex` command over its launcher (which then runs the real one from a second
 * binding). So `codex` resolves as in the image: a symlink to the package's launcher.
 */
export function podCodexArgs(spec: PodSandboxSpec, files: SandboxFiles): string[] {
  const modules = codexModulesFor(codexVersionOfImage(spec.image));
  return ['--ro-bind', modules, CODEX_ROOT, '--ro-bind', modules, CODEX_ROOT_FOR_WRAPPER, '--ro-bind', files.codexWrapper, CODEX_LAUNCHER];
}

/** The pod's volume at its home, the rest of the root read-only, and the home as working directory: the last mounts of every sandbox. */
export function podHomeArgs(spec: PodSandboxSpec): string[] {
  const homeParent = path.posix.dirname(spec.homeDir);
  return [
    ...(homeParent !== '/' ? ['--dir', homeParent] : []),
    '--bind',
    spec.volumeDir,
    spec.homeDir,
    '--remount-ro',
    '/',
    '--chdir',
    spec.homeDir,
  ];
}

export async function createBwrapRuntime(opts: { tmpDir: string; issuerUrl: string; imageRoot: string | null }): Promise<PodRuntime> {
  const filesDir = path.join(opts.tmpDir, 'sandbox-files');
  const files = await writeSandboxFiles(filesDir, opts.issuerUrl);
  const imageArgs = podRootArgs(files, opts.imageRoot);
  const pods = new Set<BwrapPod>();
  return {
    isolation: 'namespaces',
    onImage: opts.imageRoot !== null,
    async start(spec) {
      const pod = await BwrapPod.start(spec, [...imageArgs, ...podCodexArgs(spec, files)], () => pods.delete(pod));
      pods.add(pod);
      return pod;
    },
    async shutdown() {
      await Promise.all([...pods].map((pod) => pod.stop()));
      await fs.rm(filesDir, { recursive: true, force: true });
    },
  };
}

export function podEnv(spec: PodSandboxSpec): Record<string, string> {
  return { ...spec.env, PATH: spec.env.PATH ?? DEFAULT_PATH, HOME: spec.env.HOME ?? spec.homeDir, HOSTNAME: spec.name };
}

async function chownTree(dir: string): Promise<void> {
  // Like a pod's fsGroup: the volume must be writable by the container's user.
  await new Promise<void>((resolve, reject) => {
    const child = spawn('chown', ['-R', `${POD_UID}:${POD_GID}`, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`chown ${dir}: ${err.trim()}`))));
  });
}

class BwrapPod implements PodHandle {
  private stopping: Promise<void> | null = null;
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  private constructor(
    readonly spec: PodSandboxSpec,
    private readonly init: ChildProcess,
    /** Host pid of the pod's PID-namespace init: the process execs join and stop() kills. */
    private readonly initPid: number,
    private readonly onStop: () => void,
  ) {
    this.exitedPromise = new Promise<void>((resolve) => {
      if (init.exitCode !== null || init.signalCode !== null) resolve();
      else init.once('exit', () => resolve());
    }).then(() => {
      this.exited = true;
    });
  }

  static async start(spec: PodSandboxSpec, imageArgs: string[], onStop: () => void): Promise<BwrapPod> {
    await fs.mkdir(spec.volumeDir, { recursive: true });
    await chownTree(spec.volumeDir);
    const args = [
      '--info-fd',
      '3',
      '--die-with-parent',
      '--unshare-pid',
      '--unshare-uts',
      '--unshare-ipc',
      '--hostname',
      spec.name,
      ...imageArgs,
      '--perms',
      '1777',
      '--tmpfs',
      '/tmp',
      ...podHomeArgs(spec),
    ];
    // Printed once every mount is in place; bwrap's own pid 1 reaps orphans.
    const command = ['/bin/sh', '-c', 'echo ready; exec sleep infinity'];
    // Arguments go through a pipe so the pod's `ps` does not show host paths in pid 1's command line.
    const init = spawn(BWRAP, ['--args', '4', '--', ...command], { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] as StdioOptions });
    (init.stdio[4] as Writable).end(args.map((a) => `${a}\0`).join(''));
    const initPid = await new Promise<number>((resolve, reject) => {
      let info = '';
      let out = '';
      let err = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        init.kill('SIGKILL');
        reject(new Error(`pod ${spec.namespace}/${spec.name} did not start: ${why}${err ? `: ${err.trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail('timed out'), START_TIMEOUT_MS);
      // The info and the readiness line come on separate pipes, in either order.
      const check = () => {
        const match = /"child-pid":\s*(\d+)/.exec(info);
        if (!match || !out.includes('ready\n')) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      };
      (init.stdio[3] as Readable).on('data', (d: Buffer) => {
        info += d;
        check();
      });
      init.stderr!.on('data', (d: Buffer) => (err += d));
      init.stdout!.on('data', (d: Buffer) => {
        out += d;
        check();
      });
      init.once('error', (e) => fail(e.message));
      init.once('exit', (code, signal) => fail(`bwrap exited (${signal ?? code})`));
    });
    init.stdout!.resume();
    init.stderr!.resume();
    return new BwrapPod(spec, init, initPid, onStop);
  }

  exec(argv: string[], opts: { stdin?: boolean } = {}): ExecProcess {
    if (this.stopping || this.exited) return failedExec('pod is not running');
    if (argv.length === 0) return failedExec('not-found');
    const child = spawn(
      NSENTER,
      [
        '-t',
        String(this.initPid),
        '-m',
        '-u',
        '-p',
        '-i',
        // Root and working directory of the init: the sandbox root and the home dir.
        '-r',
        '-w',
        '-S',
        String(POD_UID),
        '-G',
        String(POD_GID),
        '--',
        EXEC_SHIM_PATH,
        ...argv,
      ],
      {
        env: podEnv(this.spec) as NodeJS.ProcessEnv,
        // Own process group on the host, so kill() reaches everything this exec started in the foreground.
        detached: true,
        stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'] as StdioOptions,
      },
    );
    let report = '';
    (child.stdio[3] as Readable).on('data', (d: Buffer) => (report += d));
    const done = new Promise<ExecResult>((resolve) => {
      child.once('error', (err) => resolve({ exitCode: null, startError: err.message }));
      child.once('close', (code) => {
        const startError = report.trim();
        resolve(startError ? { exitCode: code, startError } : { exitCode: code });
      });
    });
    return {
      stdin: child.stdin ?? null,
      stdout: child.stdout ?? Readable.from([]),
      stderr: child.stderr ?? Readable.from([]),
      done,
      kill: () => {
        if (!child.pid) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        // The end of a PID namespace's init takes every process in it along.
        process.kill(this.initPid, 'SIGKILL');
      } catch {
        // already gone
      }
      this.init.kill('SIGKILL');
      await this.exitedPromise;
      this.onStop();
    })();
    return this.stopping;
  }
}
