// Files the sandboxes share: what an image would add on top of the base system.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { codexWrapperScript } from './codex-wrapper';

export const POD_UID = 1000;
export const POD_GID = 1000;
export const EXEC_SHIM_PATH = '/opt/devcluster/exec';
/** Where `npm install -g` puts Codex's packages (its launcher and its native platform package). */
export const CODEX_ROOT = '/usr/local/lib/node_modules/@openai';
/** What `npm install -g` links /usr/local/bin/codex to (the image has that symlink). */
export const CODEX_LAUNCHER = `${CODEX_ROOT}/codex/bin/codex.js`;
/**
 * The same packages again, for the dev cluster's `codex` command alone: it is put over the
 * launcher above (to point `codex login` at the fake issuer) and runs the real one from here,
 * where it still finds its platform package beside it.
 */
export const CODEX_ROOT_FOR_WRAPPER = '/opt/devcluster/node_modules/@openai';
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Runs argv[0] if it can, else reports why on fd 3 and exits like a shell
 * (127/126). The runtime reads fd 3, so a command that itself exits 127 is
 * not mistaken for a missing one. argv is never interpreted by the shell.
 */
export const EXEC_SHIM = `#!/bin/sh
set -f
case "$1" in
  */*)
    if [ ! -e "$1" ]; then echo not-found >&3; exit 127; fi
    if [ -d "$1" ] || [ ! -x "$1" ]; then echo not-executable >&3; exit 126; fi
    ;;
  *)
    found=
    IFS=:
    for dir in $PATH; do
      if [ -f "\${dir:-.}/$1" ] && [ -x "\${dir:-.}/$1" ]; then found=1; break; fi
    done
    unset IFS
    if [ -z "$found" ]; then echo not-found >&3; exit 127; fi
    ;;
esac
exec 3>&-
exec "$@"
`;

export interface SandboxFiles {
  codexWrapper: string;
  execShim: string;
  passwd: string;
  group: string;
}

export async function writeSandboxFiles(dir: string, issuerUrl: string): Promise<SandboxFiles> {
  await fs.mkdir(dir, { recursive: true });
  const files: SandboxFiles = {
    codexWrapper: path.join(dir, 'codex'),
    execShim: path.join(dir, 'exec'),
    passwd: path.join(dir, 'passwd'),
    group: path.join(dir, 'group'),
  };
  await fs.writeFile(
    files.codexWrapper,
    codexWrapperScript({ nodePath: '/usr/local/bin/node', launcherPath: `${CODEX_ROOT_FOR_WRAPPER}/codex/bin/codex.js`, issuerUrl }),
    { mode: 0o755 },
  );
  await fs.writeFile(files.execShim, EXEC_SHIM, { mode: 0o755 });
  // The OpenAB image runs as the `node` user (uid 1000) of the Node.js base image.
  await fs.writeFile(files.passwd, `root:x:0:0:root:/root:/bin/sh\nnode:x:${POD_UID}:${POD_GID}::/home/node:/bin/sh\n`, { mode: 0o644 });
  await fs.writeFile(files.group, `root:x:0:\nnode:x:${POD_GID}:\n`, { mode: 0o644 });
  return files;
}
