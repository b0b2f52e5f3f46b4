// The `codex` command a pod sees: the real npm launcher, with every
// `codex login ...` pointed at the dev cluster's fake device-login issuer.
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
  return [
    '#!/bin/sh',
    `if [ "$1" = login ]; then`,
    '  shift',
    `  set -- login --experimental_issuer ${shellQuote(opts.issuerUrl)} "$@"`,
    'fi',
    `exec ${shellQuote(opts.nodePath)} ${shellQuote(opts.launcherPath)} "$@"`,
    '',
  ].join('\n');
}
