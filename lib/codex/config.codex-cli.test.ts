// The real Codex CLI must accept every file setApprovalMode writes:
// `codex features list` exiting 0 is the practical check (codex.md).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APPROVAL_MODES, readApprovalSettings, setApprovalMode } from './config';

const CODEX = path.resolve(__dirname, '../../node_modules/.bin/codex');
const DIR = path.join(__dirname, 'fixtures/config');

describe.skipIf(!existsSync(CODEX))('the real Codex CLI accepts every edited config', () => {
  it('accepts each fixture after each mode switch', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'codex-config-'));
    try {
      const outputs = new Set<string>();
      for (const name of readdirSync(DIR).filter((f) => f.endsWith('.toml'))) {
        const text = readFileSync(path.join(DIR, name), 'utf8');
        for (const mode of APPROVAL_MODES) {
          const result = setApprovalMode(text, mode);
          if ('error' in result) throw new Error(`${name} -> ${mode}: ${result.error}`);
          outputs.add(result.text);
        }
      }
      const rejected: string[] = [];
      for (const text of outputs) {
        writeFileSync(path.join(home, 'config.toml'), text);
        const run = spawnSync(CODEX, ['features', 'list'], {
          env: { ...process.env, HOME: home, CODEX_HOME: home },
          encoding: 'utf8',
          timeout: 30_000,
        });
        if (run.status !== 0) rejected.push(`${JSON.stringify(text)}\n${run.stderr}`);
      }
      expect(rejected).toEqual([]);
      expect(outputs.size).toBeGreaterThan(60);
      // And a file Codex rejects is one we refuse too.
      writeFileSync(path.join(home, 'config.toml'), 'a = \n');
      const bad = spawnSync(CODEX, ['features', 'list'], { env: { ...process.env, HOME: home, CODEX_HOME: home }, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(readApprovalSettings('a = \n').ok).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});
