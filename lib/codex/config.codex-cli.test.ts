// The real Codex CLI must accept every file setApprovalMode writes:
// `codex features list` exiting 0 is the practical check (codex.md).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readApprovalSettings, setApprovalMode } from './config';
import { APPROVAL_MODES, refusesAutoReviewName } from './approval-modes';
import { FIELD_CODEX_VERSIONS, codexLauncherFor } from '../../devcluster/runtime/codex-versions';

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

// Every Codex in the field, run for real (each version installed once from npm into a cache):
// what each accepts decides how Auto-review is written, and what OpenAB's guide makes of them.
describe("every Codex version in the field: reviewer names and the configs of OpenAB's guide", () => {
  const accepts = (launcher: string, text: string) => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'codex-field-'));
    try {
      writeFileSync(path.join(home, 'config.toml'), text);
      const run = spawnSync(process.execPath, [launcher, 'features', 'list'], {
        env: { ...process.env, HOME: home, CODEX_HOME: home },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { ok: run.status === 0, stderr: run.stderr };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
  const write = (text: string, mode: (typeof APPROVAL_MODES)[number], options?: Parameters<typeof setApprovalMode>[2]) => {
    const result = setApprovalMode(text, mode, options);
    if ('error' in result) throw new Error(result.error);
    return result.text;
  };
  const guideTable = readFileSync(path.join(DIR, '39-guide-sandbox-table.toml'), 'utf8');
  const guideTopLevel = readFileSync(path.join(DIR, '40-guide-top-level.toml'), 'utf8');

  it.each(FIELD_CODEX_VERSIONS)(
    'Codex %s',
    (version) => {
      const launcher = codexLauncherFor(version);
      const knowsAutoReview = !['0.121.0'].includes(version);
      // Auto-review as written by default: refused by old Codex in words we recognise.
      const modern = accepts(launcher, write('', 'auto-review'));
      expect(modern.ok, modern.stderr).toBe(knowsAutoReview);
      if (!knowsAutoReview) expect(refusesAutoReviewName(modern.stderr)).toBe(true);
      // The older name works everywhere, and reads back as Auto-review.
      const older = write('', 'auto-review', { autoReviewer: 'guardian_subagent' });
      expect(accepts(launcher, older).ok).toBe(true);
      expect(readApprovalSettings(older)).toMatchObject({ ok: true, mode: 'auto-review' });
      // The guide's [sandbox] table: accepted (so ignored), flagged; the repair is accepted.
      expect(accepts(launcher, guideTable).ok).toBe(true);
      expect(readApprovalSettings(guideTable)).toMatchObject({ guideMistake: { kind: 'sandbox-table', meant: 'auto-review' } });
      const repaired = write(guideTable, 'auto-review', { dropSandboxTable: true, autoReviewer: 'guardian_subagent' });
      expect(accepts(launcher, repaired).ok).toBe(true);
      // The guide's value at the top level stops Codex; the repair in place is accepted.
      const refused = accepts(launcher, guideTopLevel);
      expect(refused.ok).toBe(false);
      expect(refusesAutoReviewName(refused.stderr)).toBe(false);
      expect(accepts(launcher, write(guideTopLevel, 'auto-review', { autoReviewer: 'guardian_subagent' })).ok).toBe(true);
    },
    420_000,
  );
});
