// The Codex versions real OpenAB fleets run (OpenAB's Dockerfile.codex pins one at build time,
// and images built at different times run side by side). Each is installed from npm once, at its
// exact version, into the machine's cache, and reused afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { codexPackageDir } from './codex-wrapper';
import { machineCacheDir } from './machine-cache';

export const FIELD_CODEX_VERSIONS = ['0.121.0', '0.128.0', '0.137.0', '0.169.0', '0.171.0'] as const;
export type FieldCodexVersion = (typeof FIELD_CODEX_VERSIONS)[number];

const cacheDir = () => machineCacheDir('codex');

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
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', staging, `@openai/codex@${version}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 300_000,
      },
    );
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

/**
 * The Codex version a container image names. The dev cluster's convention: a tag ending in
 * `codex-X.Y.Z` (`ghcr.io/openabdev/openab-codex:0.8.3-codex-0.121.0`), as one would tag images
 * built from Dockerfile.codex at different times; any other image runs the project's own pin.
 */
export function codexVersionOfImage(image: string | undefined): FieldCodexVersion | null {
  const tag = /:([^/:@]+)(?:@.*)?$/.exec(image ?? '')?.[1] ?? '';
  const version = /(?:^|[-_.])codex-(\d+\.\d+\.\d+)$/.exec(tag)?.[1];
  return (FIELD_CODEX_VERSIONS as readonly string[]).includes(version ?? '') ? (version as FieldCodexVersion) : null;
}

/**
 * The `@openai` folder (Codex's launcher beside its native platform package) of a version, as
 * `npm install -g` lays it out; null = the project's own pinned Codex.
 */
export function codexModulesFor(version: FieldCodexVersion | null): string {
  return path.dirname(version ? codexPackageFor(version) : codexPackageDir());
}

/**
 * Facts the seed needs to write files each version accepts (reference/codex.md "Codex versions
 * in the field", checked with the real binaries): 0.121 refuses `approvals_reviewer =
 * "auto_review"` (only `guardian_subagent`), and ships image_generation "under development",
 * off unless enabled; from 0.128 both are as in the project's pin.
 */
export function codexFieldFacts(version: FieldCodexVersion): {
  autoReviewer: 'auto_review' | 'guardian_subagent';
  imageGenerationDefault: boolean;
} {
  const old = version === '0.121.0';
  return { autoReviewer: old ? 'guardian_subagent' : 'auto_review', imageGenerationDefault: !old };
}
