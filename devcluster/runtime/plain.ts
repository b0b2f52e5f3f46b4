// Fallback pods: plain process groups on the host, for machines where
// bubblewrap cannot run. No isolation; HOME is the pod's volume.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { codexPackageDir, codexWrapperScript } from './codex-wrapper';
import type { ExecProcess, ExecResult, PodHandle, PodRuntime, PodSandboxSpec } from './types';

const POD_MARKER = 'DEVCLUSTER_POD_ID';

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
  const pods = new Set<PlainPod>();
  let nextId = 0;
  return {
    isolated: false,
    onImage: false,
    async start(spec) {
      // A missing working directory would make every spawn fail with ENOENT, read as "not found".
      await fs.mkdir(spec.volumeDir, { recursive: true });
      const pod = new PlainPod(spec, binDir, `${process.pid}-${++nextId}-${spec.namespace}-${spec.name}`, () => pods.delete(pod));
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
function hostEnv(spec: PodSandboxSpec, binDir: string, marker: string): Record<string, string> {
  const env: Record<string, string> = {};
  const home = spec.homeDir.replace(/\/+$/, '');
  for (const [key, value] of Object.entries(spec.env)) {
    env[key] = value === home || value.startsWith(`${home}/`) ? spec.volumeDir + value.slice(home.length) : value;
  }
  env.HOME = spec.volumeDir;
  env.PATH = `${binDir}:${path.dirname(process.execPath)}:${spec.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}`;
  env.HOSTNAME = spec.name;
  env[POD_MARKER] = marker;
  return env;
}

class PlainPod implements PodHandle {
  private readonly children = new Set<ChildProcess>();
  private stopped = false;
  constructor(
    readonly spec: PodSandboxSpec,
    private readonly binDir: string,
    private readonly marker: string,
    private readonly onStop: () => void,
  ) {}

  exec(argv: string[], opts: { stdin?: boolean } = {}): ExecProcess {
    if (this.stopped || argv.length === 0) {
      return failedExec(this.stopped ? 'pod stopped' : 'not-found');
    }
    const child: ChildProcess = spawn(argv[0], argv.slice(1), {
      cwd: this.spec.volumeDir,
      env: hostEnv(this.spec, this.binDir, this.marker) as NodeJS.ProcessEnv,
      // Own process group, so kill() reaches the command's children too.
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as StdioOptions,
    });
    this.children.add(child);
    const done = new Promise<ExecResult>((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        this.children.delete(child);
        const startError = err.code === 'ENOENT' ? 'not-found' : err.code === 'EACCES' ? 'not-executable' : err.message;
        resolve({ exitCode: null, startError });
      });
      child.once('close', (code) => {
        this.children.delete(child);
        resolve({ exitCode: code });
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
    // Background processes that called setsid() left our groups; find them by the marker.
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

function killGroup(pid: number | undefined): void {
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

function processesWithMarker(entry: string): number[] {
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
