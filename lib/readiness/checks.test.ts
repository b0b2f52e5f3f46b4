import { describe, expect, it } from 'vitest';
import { approvalCheck, imageGenerationCheck, orderItems, overallStatus, permissionsCheck, skillCheck } from './checks';
import { parsePodFacts } from './pod-facts';
import { parseFrames } from '../pod/frames';
import type { SkillEntry } from '../skills/list';

const skill = (over: Partial<SkillEntry>): SkillEntry => ({
  dir: 'x',
  system: false,
  name: 'x',
  description: 'd',
  problems: [],
  installedByDashboard: false,
  changedByHand: false,
  delivery: false,
  ...over,
});

describe('checks', () => {
  it('image generation: effective value, unknown with Codex own words', () => {
    expect(imageGenerationCheck({ imageGeneration: true }).status).toBe('pass');
    expect(imageGenerationCheck({ imageGeneration: false })).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Features/) });
    expect(imageGenerationCheck({ imageGeneration: null, codexError: 'Error: failed to load\nmore' }).reason).toMatch(
      /failed to load; more$/,
    );
    expect(imageGenerationCheck(null, 'The pod is Pending.').reason).toBe('The pod is Pending.');
  });
  it('approval: Auto-review passes, Manual fails with the fix, custom is unknown, a config Codex refuses fails', () => {
    expect(approvalCheck({ ok: true, mode: 'auto-review' }).status).toBe('pass');
    expect(approvalCheck({ ok: true, mode: 'manual' })).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Auto-review/) });
    expect(approvalCheck({ ok: true, mode: 'custom' }).status).toBe('unknown');
    expect(approvalCheck({ ok: true, mode: 'default' }).status).toBe('unknown');
    expect(approvalCheck({ ok: false, error: 'config.toml does not parse' }).status).toBe('fail');
    expect(approvalCheck({ ok: true, mode: 'auto-review' }, { codexError: 'Error: unknown variant' }).status).toBe('fail');
    expect(approvalCheck({ ok: true, mode: 'auto-review' }, { codexError: 'not installed', codexMissing: true }).status).toBe('pass');
  });
  it("approval: a config written per OpenAB's guide fails, says what Codex makes of it, and offers the repair", () => {
    const ignored = approvalCheck({ ok: true, mode: 'default', guideMistake: { kind: 'sandbox-table', meant: 'auto-review' } });
    expect(ignored).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/Codex ignores that table: this agent is not on Auto-review/),
      fix: expect.stringMatching(/Repair/),
    });
    // The refused value stops Codex: named as the guide's, not as an unknown config error.
    const refused = approvalCheck(
      { ok: true, mode: 'custom', guideMistake: { kind: 'invalid-policy', meant: 'auto-review' } },
      { codexError: 'Error: unknown variant' },
    );
    expect(refused).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/OpenAB's guide suggests and Codex refuses/),
      fix: expect.stringMatching(/Repair/),
    });
  });
  it('permissions: names each channel and what it lacks', () => {
    const item = permissionsCheck({
      status: 'ok',
      channels: [
        { channelId: '1', name: 'requests', status: 'fail', missing: ['Attach Files'], reason: '' },
        { channelId: '2', name: 'art', status: 'pass', missing: [], reason: 'may post files' },
      ],
    });
    expect(item).toMatchObject({ status: 'fail', reason: '#requests: missing Attach Files' });
    expect(permissionsCheck({ status: 'ok', channels: [{ channelId: '2', status: 'pass', missing: [], reason: '' }] }).status).toBe('pass');
    expect(permissionsCheck({ status: 'ok', channels: [] }).status).toBe('unknown');
    expect(permissionsCheck({ status: 'unknown', reason: 'Discord could not be reached' })).toMatchObject({
      status: 'unknown',
      reason: 'Discord could not be reached',
    });
  });
  it('skill: a valid delivery skill passes; a broken one fails with its problem; none fails', () => {
    expect(skillCheck([skill({ delivery: true, dir: 'd' })]).status).toBe('pass');
    expect(skillCheck([skill({ delivery: true, problems: ['"description" is missing'] })]).reason).toMatch(/description" is missing/);
    expect(skillCheck([skill({ dir: 'release-notes' })]).status).toBe('fail');
    expect(skillCheck(null).status).toBe('unknown');
  });
  it('overall: any fail fails, else any unknown is unknown; items keep the checklist order', () => {
    const pass = imageGenerationCheck({ imageGeneration: true });
    const fail = approvalCheck({ ok: true, mode: 'manual' });
    const unknown = skillCheck(null);
    expect(overallStatus([pass, unknown, fail])).toBe('fail');
    expect(overallStatus([pass, unknown])).toBe('unknown');
    expect(overallStatus([pass])).toBe('pass');
    expect(orderItems([fail, unknown, pass]).map((i) => i.id)).toEqual(['image-generation', 'delivery-skill', 'approval-mode']);
  });
});

describe('parsePodFacts', () => {
  it('reads presence of token variables, the mounted OpenAB config and skills with their records', () => {
    const n = 'f00d';
    const m = (h: string) => `\n@@${n}@@ ${h}\n`;
    const out = `${m('home')}/home/node/.codex${m('env')}DISCORD_BOT_TOKEN\n${m('openab')}[discord]\nallowed_channels = ["1"]${m('skill file my skill/SKILL.md')}---\nname: a\n---${m('sidecar - my skill/SKILL.md')}{}${m('skill symlink evil/SKILL.md')}${m('end')}`;
    const facts = parsePodFacts(parseFrames(out, n))!;
    expect(facts).toMatchObject({
      codexHome: '/home/node/.codex',
      tokenVars: { DISCORD_BOT_TOKEN: true, DISCORD_FILE_BOT_TOKEN: false },
      openabConfig: '[discord]\nallowed_channels = ["1"]',
    });
    expect(facts.skills).toEqual([
      { path: 'my skill/SKILL.md', state: 'file', text: '---\nname: a\n---', sidecar: '{}' },
      { path: 'evil/SKILL.md', state: 'symlink', text: '' },
    ]);
    expect(parsePodFacts(parseFrames(out.replace(`@@${n}@@ end`, ''), n))).toBeNull();
    expect(
      parsePodFacts(parseFrames(out.replace(`${m('openab')}[discord]\nallowed_channels = ["1"]`, `${m('openab')}missing`), n))!
        .openabConfig,
    ).toBeNull();
  });
});
