// What `codex` runs in a pod: the real npm launcher, with every `codex login ...` pointed at the
// dev cluster's fake device-login issuer. In a sandboxed pod it lies over the launcher itself,
// so /usr/local/bin/codex is the symlink `npm install -g` makes (bwrap.ts podCodexArgs).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Host directory of the @openai/codex package (holds bin/codex.js). */
export function codexPackageDir(): string {
  return path.dirname(require.resolve('@openai/codex/package.json'));
}

/** Host directory of the platform package holding the native binary. */
export function codexPlatformPackageDir(): string | null {
  const platformPackage = `@openai/codex-${process.platform}-${process.arch}`;
  try {
    return path.dirname(require.resolve(`${platformPackage}/package.json`, { paths: [codexPackageDir()] }));
  } catch {
    return null;
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A POSIX sh script. `--experimental_issuer` is an option of `login` itself,
 * so it must come right after `login` (it is refused after `status`).
 * Only trusted values (paths and the issuer URL we started) are embedded.
 */
export function codexWrapperScript(opts: { nodePath: string; launcherPath: string; issuerUrl: string }): string {
  // Embedded in double quotes below, so keep it to plain URL characters.
  if (!/^https?:\/\/[A-Za-z0-9.:\[\]_/-]+$/.test(opts.issuerUrl)) throw new Error(`unexpected issuer URL: ${opts.issuerUrl}`);
  const issuer = shellQuote(opts.issuerUrl);
  return [
    '#!/bin/sh',
    'has_issuer=',
    'for arg in "$@"; do',
    '  case "$arg" in --experimental_issuer|--experimental_issuer=*) has_issuer=1 ;; esac',
    'done',
    `if [ "$1" = login ] && [ -z "$has_issuer" ]; then`,
    '  shift',
    `  set -- login --experimental_issuer ${issuer} "$@"`,
    'fi',
    // Token refresh and logout's revocation go to the same stand-in issuer (there is no egress).
    `export CODEX_REFRESH_TOKEN_URL_OVERRIDE="\${CODEX_REFRESH_TOKEN_URL_OVERRIDE:-${opts.issuerUrl}/oauth/token}"`,
    `export CODEX_REVOKE_TOKEN_URL_OVERRIDE="\${CODEX_REVOKE_TOKEN_URL_OVERRIDE:-${opts.issuerUrl}/oauth/revoke}"`,
    `exec ${shellQuote(opts.nodePath)} ${shellQuote(opts.launcherPath)} "$@"`,
    '',
  ].join('\n');
}
