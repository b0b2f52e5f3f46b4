// What `npm test` and `npm run demo` need from the machine beyond Node and npm, and getting it:
// as root with apt, installed on the spot (saying what and why); otherwise one line with the
// command to run, before anything else starts, never half-way through a suite.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface MachineTool {
  /** The command that must exist. */
  command: string;
  /** The Debian package that provides it. */
  debianPackage: string;
  /** Why the project needs it, in a few words. */
  why: string;
}

export const CHROMIUM: MachineTool = { command: 'chromium', debianPackage: 'chromium', why: 'the browser the end-to-end tests drive' };
export const BUBBLEWRAP: MachineTool = {
  command: 'bwrap',
  debianPackage: 'bubblewrap',
  why: "the dev cluster's pods are bubblewrap sandboxes",
};
export const SHELLCHECK: MachineTool = {
  command: 'shellcheck',
  debianPackage: 'shellcheck',
  why: 'checks the shell programs the dashboard runs in pods (lib/pod/programs)',
};
export const MMDEBSTRAP: MachineTool = {
  command: 'mmdebstrap',
  debianPackage: 'mmdebstrap',
  why: "builds the pods' image (Debian bookworm, like OpenAB's Dockerfile.codex) from Debian packages",
};

const has = (command: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;

/**
 * Makes sure the tools are there. Returns null when they are (or were just installed), else the
 * one line to show: the command that installs what is missing.
 */
export function ensureMachineTools(tools: MachineTool[], log: (line: string) => void = console.log): string | null {
  const missing = tools.filter((t) => !has(t.command));
  if (missing.length === 0) return null;
  const packages = missing.map((t) => t.debianPackage);
  const command = `apt-get install -y ${packages.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) return `Missing: ${missing.map((t) => `${t.command} (${t.why})`).join('; ')}. Install with: sudo ${command}`;
  for (const t of missing) log(`Installing ${t.debianPackage}: ${t.why}.`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 900_000,
  });
  const still = missing.filter((t) => !has(t.command));
  if (install.status !== 0 || still.length > 0)
    return `Could not install ${still.map((t) => t.debianPackage).join(' ') || packages.join(' ')} (${install.stderr?.toString().trim().split('\n').pop() ?? `exit ${install.status}`}). Install with: ${command}`;
  return null;
}
