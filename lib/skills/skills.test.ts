import { describe, expect, it } from 'vitest';
import { parseSkillMd } from '../codex/skills';
import { DELIVERY_SKILL_DIR, DELIVERY_SKILL_MD, UPLOAD_SCRIPT } from './delivery-skill';
import { deliveryBundle, planInstall } from './install-plan';
import { listSkills, sha256 } from './list';
import { parseSkillRead, type SkillFolderRead } from './pod-scripts';
import { parseFrames } from '../pod/frames';
import { unifiedDiff } from './text-diff';

const folder = (files: Partial<Record<'SKILL.md' | 'scripts/upload.sh' | '.openab-dashboard.json', string>>): SkillFolderRead => {
  const entry = (t?: string) => (t === undefined ? { state: 'missing' as const } : { state: 'present' as const, sha: sha256(t), text: t });
  return { codexHome: '/home/node/.codex', folderSymlink: false, files: { 'SKILL.md': entry(files['SKILL.md']), 'scripts/upload.sh': entry(files['scripts/upload.sh']), '.openab-dashboard.json': entry(files['.openab-dashboard.json']) } };
};

describe('the delivery skill', () => {
  it('has valid front matter', () => {
    const info = parseSkillMd(DELIVERY_SKILL_MD);
    expect(info.problems).toEqual([]);
    expect(info.name).toBe(DELIVERY_SKILL_DIR);
    expect(info.description).toMatch(/Discord/);
  });
  it('script reads the token from the environment, fails on refusal, never echoes the token', () => {
    expect(UPLOAD_SCRIPT).toContain('--fail-with-body');
    expect(UPLOAD_SCRIPT).toMatch(/DISCORD_FILE_BOT_TOKEN:-\}" \]; then token=\$DISCORD_FILE_BOT_TOKEN\nelif \[ -n "\$\{DISCORD_BOT_TOKEN/);
    expect(UPLOAD_SCRIPT).not.toMatch(/echo[^\n]*\$token|-H "Authorization/);
  });
});

describe('listSkills', () => {
  it('names system and user skills, front matter problems, and which one delivers', () => {
    const bundle = deliveryBundle();
    const entries = listSkills([
      { path: '.system/imagegen/SKILL.md', state: 'file', text: '---\nname: imagegen\ndescription: Generate images.\n---\n' },
      { path: 'thumbnail-maker/SKILL.md', state: 'file', text: '---\nname: thumbnail-maker\nallowed-tools: [shell\n---\n' },
      { path: `${DELIVERY_SKILL_DIR}/SKILL.md`, state: 'file', text: DELIVERY_SKILL_MD, sidecar: bundle.record },
      { path: 'release-notes/SKILL.md', state: 'file', text: '---\nname: release-notes\ndescription: Draft release notes.\n---\n' },
      { path: 'linked/SKILL.md', state: 'symlink', text: '' },
    ]);
    expect(entries.map((e) => [e.dir, e.system, e.delivery, e.problems.length > 0])).toEqual([
      [DELIVERY_SKILL_DIR, false, true, false],
      ['linked', false, false, true],
      ['release-notes', false, false, false],
      ['thumbnail-maker', false, false, true],
      ['.system/imagegen', true, false, false],
    ]);
    expect(entries[0]).toMatchObject({ installedByDashboard: true, changedByHand: false });
    expect(entries.find((e) => e.dir === 'thumbnail-maker')!.problems[0]).toMatch(/not valid YAML/);
  });
  it('notices a hand edit of a skill the dashboard installed', () => {
    const [entry] = listSkills([{ path: `${DELIVERY_SKILL_DIR}/SKILL.md`, state: 'file', text: DELIVERY_SKILL_MD + 'extra\n', sidecar: deliveryBundle().record }]);
    expect(entry.changedByHand).toBe(true);
  });
});

describe('planInstall', () => {
  const bundle = deliveryBundle();
  it('installs into an empty place without asking', () => {
    expect(planInstall(folder({}), bundle)).toMatchObject({ kind: 'install', update: false, state: { skillSha: 'missing', scriptSha: 'missing' } });
  });
  it('does nothing when the same files are there', () => {
    expect(planInstall(folder({ 'SKILL.md': bundle.skillMd, 'scripts/upload.sh': bundle.script }), bundle).kind).toBe('up-to-date');
  });
  it('updates its own untouched older install without asking', () => {
    const old = { 'SKILL.md': '---\nname: x\ndescription: old\n---\n', 'scripts/upload.sh': '#!/bin/sh\n' };
    const record = JSON.stringify({ skill: DELIVERY_SKILL_DIR, version: 0, files: { 'SKILL.md': sha256(old['SKILL.md']), 'scripts/upload.sh': sha256(old['scripts/upload.sh']) } });
    expect(planInstall(folder({ ...old, '.openab-dashboard.json': record }), bundle)).toMatchObject({ kind: 'install', update: true });
  });
  it('asks, showing the difference, before replacing a hand-changed skill', () => {
    const changed = bundle.skillMd.replace('Never print', 'Please never print');
    const plan = planInstall(folder({ 'SKILL.md': changed, 'scripts/upload.sh': bundle.script, '.openab-dashboard.json': bundle.record }), bundle);
    expect(plan.kind).toBe('confirm');
    if (plan.kind !== 'confirm') return;
    expect(plan.reason).toMatch(/changed .* by hand/);
    expect(plan.diff).toContain('-Please never print');
    expect(plan.diff).toContain('+Never print');
    expect(plan.diff).not.toContain('upload.sh (now)');
    expect(plan.state.skillSha).toBe(sha256(changed));
  });
  it('asks before replacing a skill someone else put there', () => {
    const plan = planInstall(folder({ 'SKILL.md': '---\nname: discord-image-delivery\ndescription: theirs\n---\n' }), bundle);
    expect(plan).toMatchObject({ kind: 'confirm', state: { scriptSha: 'missing' } });
    if (plan.kind === 'confirm') expect(plan.reason).toMatch(/not installed by the dashboard/);
  });
  it('refuses to write through symbolic links', () => {
    expect(planInstall({ ...folder({}), folderSymlink: true }, bundle).kind).toBe('refuse');
  });
});

describe('parseSkillRead and unifiedDiff', () => {
  it('splits the read script output exactly, content without trailing newline included', () => {
    const n = 'abc';
    const out = `\n@@${n}@@ home\n/h/.codex\n@@${n}@@ file SKILL.md ${sha256('x\ny')}\nx\ny\n@@${n}@@ file scripts/upload.sh missing\n\n@@${n}@@ file .openab-dashboard.json symlink\n\n@@${n}@@ end\n`;
    const read = parseSkillRead(parseFrames(out, n))!;
    expect(read.codexHome).toBe('/h/.codex');
    expect(read.files['SKILL.md']).toEqual({ state: 'present', sha: sha256('x\ny'), text: 'x\ny' });
    expect(read.files['.openab-dashboard.json'].state).toBe('symlink');
    expect(parseSkillRead(parseFrames(out.replace(`@@${n}@@ end`, ''), n))).toBeNull();
  });
  it('writes hunks with line numbers', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const b = a.replace('5\n', 'five\n');
    expect(unifiedDiff(a, b, { from: 'a', to: 'b' })).toBe('--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
    expect(unifiedDiff(a, a, { from: 'a', to: 'b' })).toBe('');
  });
});
