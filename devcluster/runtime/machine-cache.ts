// Downloads and builds the dev cluster reuses across runs and clones (the pods' root filesystem,
// Codex versions): in the user's cache directory, so `npm ci` (which empties node_modules) and
// a second clone do not fetch them again. Each entry is named by what it holds.
import os from 'node:os';
import path from 'node:path';

export function machineCacheDir(...parts: string[]): string {
  const root =
    process.env.OPENAB_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'openab-dashboard');
  return path.join(root, ...parts);
}
