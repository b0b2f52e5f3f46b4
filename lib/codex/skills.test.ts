import { describe, expect, it } from 'vitest';
import { isSystemSkillPath, parseSkillMd } from './skills';

const VALID = `---
name: discord-delivery
description: Upload generated images to the Discord thread the request came from.
license: MIT
allowed-tools: Bash Read
metadata:
  version: "1.2"
  owner: platform
---

# Discord delivery

Run \`scripts/upload.sh <file>\`.
`;

describe('parseSkillMd', () => {
  it('reads a valid skill', () => {
    expect(parseSkillMd(VALID)).toEqual({
      name: 'discord-delivery',
      description: 'Upload generated images to the Discord thread the request came from.',
      license: 'MIT',
      allowedTools: ['Bash', 'Read'],
      metadata: { version: '1.2', owner: 'platform' },
      problems: [],
    });
  });

  it('tolerates CRLF, a BOM and a list of tools', () => {
    const text = '\uFEFF' + VALID.replace('allowed-tools: Bash Read', 'allowed-tools:\n  - Bash\n  - Read').replace(/\n/g, '\r\n');
    expect(parseSkillMd(text)).toMatchObject({ name: 'discord-delivery', allowedTools: ['Bash', 'Read'], problems: [] });
  });

  it('reports missing and wrong fields', () => {
    expect(parseSkillMd('---\nlicense: MIT\n---\n').problems).toEqual(['"name" is missing', '"description" is missing']);
    expect(parseSkillMd('---\nname: 42\ndescription: ""\n---\n').problems).toEqual(['"name" must be text', '"description" is empty']);
    expect(parseSkillMd(`---\nname: ${'a'.repeat(65)}\ndescription: d\n---\n`).problems).toEqual(['"name" is longer than 64 characters']);
    expect(parseSkillMd(`---\nname: n\ndescription: ${'d'.repeat(1025)}\n---\n`).problems).toEqual([
      '"description" is longer than 1024 characters',
    ]);
    expect(parseSkillMd('---\nname: n\ndescription: d\nlicense: [1]\nallowed-tools: {a: 1}\nmetadata: [x]\n---\n').problems).toEqual([
      '"license" must be text',
      '"allowed-tools" must be text or a list of text',
      '"metadata" must be a mapping',
    ]);
  });

  it('reports a missing or broken front matter', () => {
    expect(parseSkillMd('# Just markdown\n').problems[0]).toMatch(/^no front matter/);
    expect(parseSkillMd('---\nname: x\n').problems[0]).toMatch(/^no front matter/);
    expect(parseSkillMd('').problems[0]).toMatch(/^no front matter/);
    expect(parseSkillMd('---\n- a\n- b\n---\n').problems).toEqual(['front matter must be a mapping of keys to values']);
    expect(parseSkillMd('---\n---\n').problems).toEqual(['"name" is missing', '"description" is missing']);
    const broken = parseSkillMd('---\nname: ok\ndescription: [unclosed\n---\n');
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems[0]).toMatch(/^front matter is not valid YAML: line \d+, column \d+: /);
  });

  it('survives hostile input', () => {
    expect(parseSkillMd('x'.repeat(2 * 1024 * 1024)).problems).toEqual(['SKILL.md is too large']);
    expect(parseSkillMd('---\n' + 'a: b\n'.repeat(20_000) + '---\n').problems).toEqual(['front matter is too large']);
    const bomb =
      '---\na: &a ["x","x","x","x"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c]\nname: n\ndescription: d\n---\n';
    expect(parseSkillMd(bomb)).toMatchObject({ name: 'n', problems: [] });
    expect(parseSkillMd('---\nname: !!js/function "function(){}"\ndescription: d\n---\n').problems.length).toBeGreaterThan(0);
    expect(parseSkillMd('---\nname: "\\x1b[31mred"\ndescription: "a\\u200bb"\n---\n').problems).toEqual([
      '"name" must be one line of plain text',
    ]);
    expect(parseSkillMd('---\nname: "two\\nlines"\ndescription: d\n---\n').problems).toEqual(['"name" must be one line of plain text']);
    expect(parseSkillMd(42 as unknown as string).problems).toEqual(['SKILL.md is not text']);
  });

  it('tells system skills apart', () => {
    expect(isSystemSkillPath('.system/imagegen/SKILL.md')).toBe(true);
    expect(isSystemSkillPath('skills/.system/x/SKILL.md')).toBe(true);
    expect(isSystemSkillPath('discord-delivery/SKILL.md')).toBe(false);
  });
});
