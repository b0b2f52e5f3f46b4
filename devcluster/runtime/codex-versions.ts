// The Codex versions real OpenAB fleets run (OpenAB's Dockerfile.codex pins one at build time,
// and images built at different times run side by side). The project's own devDependency is one
// of them; the others are installed from npm once, at an exact version, into a cache beside the
// seed's, and reused afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

export const FIELD_CODEX_VERSIONS = ['0.121.0', '0.128.0', '0.137.0', '0.169.0', '0.171.0'] as const;
export type FieldCodexVersion = (typeof FIELD_CODEX_VERSIONS)[number];

const PROJECT_ROOT = path.resolve(__dirname, '../..');

function cacheDir(): string {
  return process.env.OPENAB_CODEX_CACHE_DIR || path.join(PROJECT_ROOT, 'node_modules', '.cache', 'openab-codex');
}

/** Where a version's npm package lies (holds bin/codex.js), installed on first use. */
export function codexPackageFor(version: FieldCodexVersion): string {
  const home = path.join(cacheDir(), version);
  const pkg = path.join(home, 'node_modules', '@openai', 'codex');
  if (existsSync(path.join(pkg, 'bin', 'codex.js'))) return pkg;
  mkdirSync(cacheDir(), { recursive: true });
  // Installed aside, then renamed into place: parallel test workers may race, and a half-done
  // install must never look like a finished one.
  const staging = path.join(cacheDir(), `.staging-${version}-${process.pid}-${Date.now()}`);
  try {
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', staging, `@openai/codex@${version}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
    });
    try {
      renameSync(staging, home);
    } catch (err) {
      if (!existsSync(path.join(pkg, 'bin', 'codex.js'))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return pkg;
}

/** The `codex` launcher of a version (a node script; it finds its native binary beside it). */
export function codexLauncherFor(version: FieldCodexVersion): string {
  return path.join(codexPackageFor(version), 'bin', 'codex.js');
}
