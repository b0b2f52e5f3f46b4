import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as codex from './index';

describe('lib/codex', () => {
  it('re-exports every module', () => {
    for (const name of [
      'reduceAuthJson',
      'summarizeAuth',
      'needsAttention',
      'describeLogin',
      'parseFeaturesList',
      'isValidFeatureName',
      'parseFeatureToggleOutput',
      'readApprovalSettings',
      'setApprovalMode',
      'parseDeviceLoginOutput',
      'parseRollout',
      'findDiscordUploads',
      'deliveryTarget',
      'parseSkillMd',
      'stripAnsi',
    ]) {
      expect(typeof (codex as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('imports nothing of ours and does no I/O', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(8);
    for (const file of sources) {
      const text = readFileSync(path.join(__dirname, file), 'utf8');
      const imports = [...text.matchAll(/^\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
      for (const spec of imports) expect([file, spec]).toEqual([file, expect.stringMatching(/^(\.\/[a-z-]+|smol-toml|js-yaml|zod)$/)]);
      // Code only: the in-pod program is built as strings (lines starting with a backtick).
      const code = text
        .split('\n')
        .filter((line) => !/^\s*`/.test(line))
        .join('\n');
      expect([file, code]).not.toEqual([file, expect.stringMatching(/\b(require\(|process\.|fetch\(|readFileSync|writeFileSync)/)]);
    }
  });
});
