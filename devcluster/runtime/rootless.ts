// Pods for an ordinary user: bubblewrap without root. Entering a running sandbox's namespaces
// needs root (an unprivileged bwrap nests its own user namespace, which nsenter cannot cross), so
// each exec is a sandbox of its own over the same root, volume and /tmp, in a user namespace that
// maps this user to the image's `node`. Files are as isolated as in a root-run pod; processes are
// not: they share the machine's process table (so a pod's `ps` and `kill` see its own earlier
// execs, as in a real pod, and the machine's other processes too). The dev cluster names this.
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { podCodexArgs, podEnv, podHomeArgs, podRootArgs } from './bwrap';
import { codexPlatformPackageDir } from './codex-wrapper';
import { ProcessGroupPod } from './plain';
import { EXEC_SHIM_PATH, POD_GID, POD_UID, writeSandboxFiles } from './sandbox-files';
import type { PodRuntime } from './types';

const BWRAP = '/usr/bin/bwrap';

/** Why rootless bubblewrap pods cannot run here, or null when they can. */
export function rootlessUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (!existsSync(BWRAP)) return `${BWRAP} is missing (apt-get install -y bubblewrap)`;
  if (!codexPlatformPackageDir()) return 'the Codex platform package is missing';
  const probe = spawnSync(
    BWRAP,
    [
      '--unshare-user',
      '--uid',
      String(POD_UID),
      '--gid',
      String(POD_GID),
      '--unshare-uts',
      '--ro-bind',
      '/',
      '/',
      '--proc',
      '/proc',
      '--',
      '/bin/true',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 5_000,
    },
  );
  if (probe.status !== 0) {
    return `user namespaces are not available to this user (${probe.stderr?.toString().trim() || probe.error?.message || `exit ${probe.status}`})`;
  }
  return null;
}

export async function createRootlessRuntime(opts: { tmpDir: string; issuerUrl: string; imageRoot: string | null }): Promise<PodRuntime> {
  const filesDir = path.join(opts.tmpDir, 'sandbox-files');
  const files = await writeSandboxFiles(filesDir, opts.issuerUrl);
  const rootArgs = podRootArgs(files, opts.imageRoot);
  const tmpRoot = path.join(opts.tmpDir, 'pod-tmp');
  const pods = new Set<ProcessGroupPod>();
  let nextId = 0;
  return {
    isolation: 'user-namespace',
    onImage: opts.imageRoot !== null,
    async start(spec) {
      await fs.mkdir(spec.volumeDir, { recursive: true });
      const id = `${process.pid}-${++nextId}-${spec.namespace}-${spec.name}`;
      // The pod's /tmp outlives each exec (a login's files live there between execs).
      const tmp = path.join(tmpRoot, id);
      await fs.mkdir(tmp, { recursive: true, mode: 0o1777 });
      await fs.chmod(tmp, 0o1777);
      const sandbox = [
        '--unshare-user',
        '--uid',
        String(POD_UID),
        '--gid',
        String(POD_GID),
        '--unshare-uts',
        '--unshare-ipc',
        '--hostname',
        spec.name,
        ...rootArgs,
        ...podCodexArgs(spec, files),
        '--bind',
        tmp,
        '/tmp',
        ...podHomeArgs(spec),
      ];
      const pod = new ProcessGroupPod(
        spec,
        id,
        (argv) => ({
          file: BWRAP,
          args: ['--args', '4', '--', EXEC_SHIM_PATH, ...argv],
          argsOnFd4: sandbox,
          env: podEnv(spec),
          cwd: spec.volumeDir,
          reportsOnFd3: true,
        }),
        () => {
          pods.delete(pod);
          void fs.rm(tmp, { recursive: true, force: true });
        },
      );
      pods.add(pod);
      return pod;
    },
    async shutdown() {
      await Promise.all([...pods].map((pod) => pod.stop()));
      await fs.rm(filesDir, { recursive: true, force: true });
      await fs.rm(tmpRoot, { recursive: true, force: true });
    },
  };
}
