// Fallback pods: plain process groups on the host, for machines where
// bubblewrap cannot run. No isolation; HOME is the pod's volume.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { codexPackageDir, codexWrapperScript } from './codex-wrapper';
import type { ExecProcess, ExecResult, PodHandle, PodRuntime, PodSandboxSpec } from './types';

export const POD_MARKER = 'DEVCLUSTER_POD_ID';

export async function createPlainRuntime(opts: { tmpDir: string; issuerUrl: string }): Promise<PodRuntime> {
  const binDir = path.join(opts.tmpDir, 'plain-bin');
  await fs.mkdir(binDir, { recursive: true });
  await fs.writeFile(
    path.join(binDir, 'codex'),
    codexWrapperScript({
      nodePath: process.execPath,
      launcherPath: path.join(codexPackageDir(), 'bin', 'codex.js'),
      issuerUrl: opts.issuerUrl,
    }),
    { mode: 0o755 },
  );
  const pods = new Set<ProcessGroupPod>();
  let nextId = 0;
  return {
    isolation: 'none',
    onImage: false,
    async start(spec) {
      // A missing working directory would make every spawn fail with ENOENT, read as "not found".
      await fs.mkdir(spec.volumeDir, { recursive: true });
      const pod = new ProcessGroupPod(
        spec,
        `${process.pid}-${++nextId}-${spec.namespace}-${spec.name}`,
        (argv) => ({ file: argv[0], args: argv.slice(1), env: hostEnv(spec, binDir), cwd: spec.volumeDir, reportsOnFd3: false }),
        () => pods.delete(pod),
      );
      pods.add(pod);
      return pod;
    },
    async shutdown() {
      await Promise.all([...pods].map((pod) => pod.stop()));
      await fs.rm(binDir, { recursive: true, force: true });
    },
  };
}

/** Maps paths under the container's home onto the volume, since there is no mount here. */
function hostEnv(spec: PodSandboxSpec, binDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  const home = spec.homeDir.replace(/\/+$/, '');
  for (const [key, value] of Object.entries(spec.env)) {
    env[key] = value === home || value.startsWith(`${home}/`) ? spec.volumeDir + value.slice(home.length) : value;
  }
  env.HOME = spec.volumeDir;
  env.PATH = `${binDir}:${path.dirname(process.execPath)}:${spec.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}`;
  env.HOSTNAME = spec.name;
  return env;
}

/** How one exec of a process-group pod is started on the host. */
export interface HostCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The command reports a start failure (not-found, not-executable) on fd 3, as the exec shim does. */
  reportsOnFd3: boolean;
  /** Arguments written to the command's fd 4 (bwrap's `--args 4`), so they stay out of its visible command line. */
  argsOnFd4?: string[];
}

/**
 * A pod whose processes are process groups on the host, found again at stop by the marker in
 * their environment (background processes that called setsid() leave our groups). Plain pods
 * run argv as it is; rootless pods (rootless.ts) run it inside a bubblewrap sandbox.
 */
export class ProcessGroupPod implements PodHandle {
  private readonly children = new Set<ChildProcess>();
  private stopped = false;
  constructor(
    readonly spec: PodSandboxSpec,
    /** The value of POD_MARKER in every process of this pod. */
    readonly marker: string,
    private readonly command: (argv: string[]) => HostCommand,
    private readonly onStop: () => void,
  ) {}

  exec(argv: string[], opts: { stdin?: boolean } = {}): ExecProcess {
    if (this.stopped || argv.length === 0) {
      return failedExec(this.stopped ? 'pod stopped' : 'not-found');
    }
    const command = this.command(argv);
    const child: ChildProcess = spawn(command.file, command.args, {
      cwd: command.cwd,
      env: { ...command.env, [POD_MARKER]: this.marker } as Record<string, string> as NodeJS.ProcessEnv,
      // Own process group, so kill() reaches the command's children too.
      detached: true,
      stdio: [
        opts.stdin ? 'pipe' : 'ignore',
        'pipe',
        'pipe',
        command.reportsOnFd3 ? 'pipe' : 'ignore',
        ...(command.argsOnFd4 ? ['pipe'] : []),
      ] as StdioOptions,
    });
    if (command.argsOnFd4) (child.stdio[4] as Writable).end(command.argsOnFd4.map((a) => `${a}\0`).join(''));
    this.children.add(child);
    let report = '';
    if (command.reportsOnFd3) (child.stdio[3] as Readable).on('data', (d: Buffer) => (report += d));
    const done = new Promise<ExecResult>((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        this.children.delete(child);
        const startError = err.code === 'ENOENT' ? 'not-found' : err.code === 'EACCES' ? 'not-executable' : err.message;
        resolve({ exitCode: null, startError });
      });
      child.once('close', (code) => {
        this.children.delete(child);
        const startError = report.trim();
        resolve(startError ? { exitCode: code, startError } : { exitCode: code });
      });
    });
    return {
      stdin: child.stdin ?? null,
      stdout: child.stdout ?? Readable.from([]),
      stderr: child.stderr ?? Readable.from([]),
      done,
      kill: () => killGroup(child.pid),
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.children) killGroup(child.pid);
    for (const pid of processesWithMarker(`${POD_MARKER}=${this.marker}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.onStop();
  }
}

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function processesWithMarker(entry: string): number[] {
  if (process.platform !== 'linux') return [];
  const found: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (environ.split('\0').includes(entry)) found.push(Number(name));
    } catch {
      // exited or not ours to read
    }
  }
  return found;
}

export function failedExec(startError: string): ExecProcess {
  return {
    stdin: null,
    stdout: Readable.from([]),
    stderr: Readable.from([]),
    done: Promise.resolve({ exitCode: null, startError }),
    kill() {},
  };
}
