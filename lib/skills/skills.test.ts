import { describe, expect, it } from 'vitest';
import { parseSkillMd } from '../codex/skills';
import { DELIVERY_SKILL_DIR, DELIVERY_SKILL_MD, UPLOAD_SCRIPT_PATH } from './delivery-skill';
import { UPLOAD_SCRIPT, deliveryBundle, planInstall } from './install-plan';
import { listSkills, sha256 } from './list';
import { parseSkillRead, type SkillFolderRead } from './pod-scripts';
import { parseFrames } from '../pod/frames';
import { unifiedDiff } from './text-diff';

const folder = (files: Partial<Record<'SKILL.md' | 'script' | '.openab-dashboard.json', string>>): SkillFolderRead => {
  const entry = (t?: string) => (t === undefined ? { state: 'missing' as const } : { state: 'present' as const, sha: sha256(t), text: t });
  return {
    codexHome: '/home/node/.codex',
    folderSymlink: false,
    files: {
      'SKILL.md': entry(files['SKILL.md']),
      script: entry(files.script),
      '.openab-dashboard.json': entry(files['.openab-dashboard.json']),
    },
  };
};

describe('the delivery skill', () => {
  it('has valid front matter', () => {
    const info = parseSkillMd(DELIVERY_SKILL_MD);
    expect(info.problems).toEqual([]);
    expect(info.name).toBe(DELIVERY_SKILL_DIR);
    expect(info.description).toMatch(/Discord/);
  });
  it('tells Codex what the seed lists: imagegen and image_gen, keep the size, a stable copy, thread else channel, no token', () => {
    expect(DELIVERY_SKILL_DIR).toBe('discord-imagegen-deliver');
    expect(UPLOAD_SCRIPT_PATH).toBe('scripts/send-discord-image.sh');
    expect(DELIVERY_SKILL_MD).toMatch(/built-in `imagegen` skill and its `image_gen` tool/);
    expect(DELIVERY_SKILL_MD).toMatch(/Keep the size/);
    expect(DELIVERY_SKILL_MD).toContain('/home/node/generated-images/');
    expect(DELIVERY_SKILL_MD).toMatch(/`thread_id`, falling back to `channel_id`/);
    expect(DELIVERY_SKILL_MD).toMatch(/Never print, echo or log the token/);
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
    const [entry] = listSkills([
      { path: `${DELIVERY_SKILL_DIR}/SKILL.md`, state: 'file', text: DELIVERY_SKILL_MD + 'extra\n', sidecar: deliveryBundle().record },
    ]);
    expect(entry.changedByHand).toBe(true);
  });
});

describe('planInstall', () => {
  const bundle = deliveryBundle();
  it('installs into an empty place without asking', () => {
    expect(planInstall(folder({}), bundle)).toMatchObject({
      kind: 'install',
      update: false,
      state: { skillSha: 'missing', scriptSha: 'missing' },
    });
  });
  it('does nothing when the same files are there', () => {
    expect(planInstall(folder({ 'SKILL.md': bundle.skillMd, script: bundle.script }), bundle).kind).toBe('up-to-date');
  });
  it('updates its own untouched older install without asking', () => {
    const old = { 'SKILL.md': '---\nname: x\ndescription: old\n---\n', script: '#!/bin/sh\n' };
    const record = JSON.stringify({
      skill: DELIVERY_SKILL_DIR,
      version: 0,
      files: { 'SKILL.md': sha256(old['SKILL.md']), [UPLOAD_SCRIPT_PATH]: sha256(old.script) },
    });
    expect(planInstall(folder({ ...old, '.openab-dashboard.json': record }), bundle)).toMatchObject({ kind: 'install', update: true });
  });
  it('asks, showing the difference, before replacing a hand-changed skill', () => {
    const changed = bundle.skillMd.replace('Never print', 'Please never print');
    const plan = planInstall(folder({ 'SKILL.md': changed, script: bundle.script, '.openab-dashboard.json': bundle.record }), bundle);
    expect(plan.kind).toBe('confirm');
    if (plan.kind !== 'confirm') return;
    expect(plan.reason).toMatch(/changed .* by hand/);
    expect(plan.diff).toContain('-Please never print');
    expect(plan.diff).toContain('+Never print');
    expect(plan.diff).not.toContain('send-discord-image.sh (now)');
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
  it('offers an agent carrying the previous skill the upgrade, with the difference', () => {
    const previous = folder({
      'SKILL.md': '---\nname: discord-image-delivery\ndescription: old\n---\nUse scripts/upload.sh\n',
      script: '#!/bin/sh\n# upload.sh\n',
    });
    const plan = planInstall(folder({}), bundle, previous);
    expect(plan).toMatchObject({
      kind: 'confirm',
      upgrade: true,
      state: { skillSha: sha256(previous.files['SKILL.md'].state === 'present' ? previous.files['SKILL.md'].text : '') },
    });
    if (plan.kind !== 'confirm') return;
    expect(plan.reason).toMatch(/previous delivery skill \(skills\/discord-image-delivery\)/);
    expect(plan.diff).toContain('--- skills/discord-image-delivery/scripts/upload.sh (now)');
    expect(plan.diff).toContain('+++ skills/discord-imagegen-deliver/scripts/send-discord-image.sh (dashboard)');
    expect(plan.diff).toContain('-Use scripts/upload.sh');
    // Once the new skill is in place, the previous one no longer changes the plan.
    expect(planInstall(folder({ 'SKILL.md': bundle.skillMd, script: bundle.script }), bundle, previous).kind).toBe('up-to-date');
    expect(planInstall(folder({}), bundle, folder({}))).toMatchObject({ kind: 'install', update: false });
  });
});

describe('parseSkillRead and unifiedDiff', () => {
  it('splits the read script output exactly, content without trailing newline included', () => {
    const n = 'abc';
    const out = `\n@@${n}@@ home\n/h/.codex\n@@${n}@@ file SKILL.md ${sha256('x\ny')}\nx\ny\n@@${n}@@ file scripts/send-discord-image.sh missing\n\n@@${n}@@ file .openab-dashboard.json symlink\n\n@@${n}@@ end\n`;
    const read = parseSkillRead(parseFrames(out, n))!;
    expect(read.codexHome).toBe('/h/.codex');
    expect(read.files['SKILL.md']).toEqual({ state: 'present', sha: sha256('x\ny'), text: 'x\ny' });
    expect(read.files['.openab-dashboard.json'].state).toBe('symlink');
    expect(read.files.script.state).toBe('missing');
    // The previous skill's script is read under its own path.
    const previous = parseSkillRead(
      parseFrames(out.replace('scripts/send-discord-image.sh missing\n', `scripts/upload.sh ${sha256('old')}\nold`), n),
      'scripts/upload.sh',
    )!;
    expect(previous.files.script).toEqual({ state: 'present', sha: sha256('old'), text: 'old' });
    expect(parseSkillRead(parseFrames(out.replace(`@@${n}@@ end`, ''), n))).toBeNull();
  });
  it('writes hunks with line numbers', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const b = a.replace('5\n', 'five\n');
    expect(unifiedDiff(a, b, { from: 'a', to: 'b' })).toBe('--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
    expect(unifiedDiff(a, a, { from: 'a', to: 'b' })).toBe('');
  });
});
