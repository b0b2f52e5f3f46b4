import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { HIDDEN_VALUE, readApprovalSettings, setApprovalMode } from './config';
import { APPROVAL_MODES, type ApprovalMode, describeApprovalMode, describeGuideMistake, isApprovalMode } from './approval-modes';

const DIR = path.join(__dirname, 'fixtures/config');
const corpus = readdirSync(DIR)
  .filter((f) => f.endsWith('.toml'))
  .sort()
  .map((name) => ({ name, text: readFileSync(path.join(DIR, name), 'utf8') }));

const MODE_KEYS = ['approval_policy', 'approvals_reviewer', 'sandbox_mode'];

function rest(text: string) {
  const doc = parse(text) as Record<string, unknown>;
  for (const key of MODE_KEYS) delete doc[key];
  return doc;
}

function edit(text: string, mode: ApprovalMode): string {
  const result = setApprovalMode(text, mode);
  if ('error' in result) throw new Error(result.error);
  return result.text;
}

const EXPECTED_MODE: Record<string, string> = {
  '01-empty.toml': 'default',
  '04-manual.toml': 'manual',
  '05-auto-review.toml': 'auto-review',
  '06-full-access.toml': 'full-access',
  '07-granular-inline.toml': 'custom',
  '08-granular-table.toml': 'custom',
  '09-granular-dotted.toml': 'custom',
  '10-on-failure.toml': 'custom',
  '11-guardian.toml': 'auto-review',
  '12-tables-first.toml': 'default',
  '13-mcp-secrets.toml': 'default',
  '14-same-names-elsewhere.toml': 'default',
  '15-multiline-strings.toml': 'default',
  '17-quoted-keys.toml': 'full-access',
  '18-unicode.toml': 'manual',
  '20-indented.toml': 'manual',
  '22-sandbox-only.toml': 'custom',
  '23-sandbox-workspace.toml': 'custom',
  '27-full-access-no-reviewer.toml': 'full-access',
  '28-reviewer-only.toml': 'custom',
  '32-crlf.toml': 'full-access',
  '33-bom.toml': 'manual',
  '34-no-trailing-newline.toml': 'custom',
  '37-approval-table-header.toml': 'custom',
  '39-guide-sandbox-table.toml': 'default',
  '40-guide-top-level.toml': 'custom',
  '41-on-request-no-reviewer.toml': 'manual',
};

describe('readApprovalSettings', () => {
  it('has a corpus of at least 30 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(EXPECTED_MODE))('%s reads as %s', (name, mode) => {
    const text = readFileSync(path.join(DIR, name), 'utf8');
    const settings = readApprovalSettings(text);
    expect(settings.ok).toBe(true);
    expect(settings.ok && settings.mode).toBe(mode);
  });

  it('returns the approval keys, features and nothing else', () => {
    const settings = readApprovalSettings(readFileSync(path.join(DIR, '13-mcp-secrets.toml'), 'utf8'));
    expect(settings).toEqual({ ok: true, mode: 'default', approvalPolicy: undefined, features: {} });
    expect(JSON.stringify(settings)).not.toContain('ghp_');
    const full = readApprovalSettings(readFileSync(path.join(DIR, '06-full-access.toml'), 'utf8'));
    expect(full).toEqual({
      ok: true,
      mode: 'full-access',
      approvalPolicy: 'never',
      approvalsReviewer: 'auto_review',
      sandboxMode: 'danger-full-access',
      features: { image_generation: true },
    });
  });

  it('shows a granular policy as its booleans', () => {
    const settings = readApprovalSettings(readFileSync(path.join(DIR, '08-granular-table.toml'), 'utf8'));
    expect(settings).toMatchObject({
      ok: true,
      mode: 'custom',
      approvalPolicy: {
        granular: { sandbox_approval: true, rules: true, skill_approval: false, request_permissions: true, mcp_elicitations: false },
      },
      features: { image_generation: false },
    });
  });

  it('does not let a secret pasted into approval_policy travel', () => {
    const settings = readApprovalSettings(
      'approval_policy = { token = "sk-SECRET", nested = { key = "sk-SECRET2" }, list = ["sk-SECRET3"] }',
    );
    expect(JSON.stringify(settings)).not.toContain('SECRET');
    expect(settings).toMatchObject({
      ok: true,
      mode: 'custom',
      approvalPolicy: { token: '(string)', nested: { key: '(string)' }, list: '(array)' },
    });
  });

  it('treats an unknown reviewer and never without full sandbox as custom', () => {
    expect(readApprovalSettings('approval_policy = "on-request"\napprovals_reviewer = "someone"')).toMatchObject({ mode: 'custom' });
    expect(readApprovalSettings('approval_policy = "never"')).toMatchObject({ mode: 'custom' });
    expect(
      readApprovalSettings('approval_policy = "on-request"\napprovals_reviewer = "user"\nsandbox_mode = "danger-full-access"'),
    ).toMatchObject({ mode: 'custom' });
    expect(readApprovalSettings('approval_policy = "on-request"\napprovals_reviewer = "user"\nsandbox_mode = "read-only"')).toMatchObject({
      mode: 'manual',
      sandboxMode: 'read-only',
    });
    expect(readApprovalSettings('approval_policy = "auto-review"')).toMatchObject({ mode: 'custom', approvalPolicy: 'auto-review' });
    // A value of no shape Codex uses may be a secret in the wrong place: named, not shown.
    expect(
      readApprovalSettings('approval_policy = "ghp_Secret1a2b3c"\napprovals_reviewer = "sk-proj-9x"\nsandbox_mode = "Hunter2"'),
    ).toMatchObject({
      mode: 'custom',
      approvalPolicy: HIDDEN_VALUE,
      approvalsReviewer: HIDDEN_VALUE,
      sandboxMode: HIDDEN_VALUE,
    });
    expect(JSON.stringify(readApprovalSettings('[approval_policy.granular]\nghp_Secret1a2b3c = true\nrules = true'))).not.toContain(
      'Secret',
    );
  });

  it('reports a parse error by position, never by content', () => {
    const result = readApprovalSettings('model = "x"\ntoken = sk-SECRET-VALUE\n');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^config\.toml does not parse: line 2, column 9: /);
    expect(JSON.stringify(result)).not.toContain('SECRET');
    for (const garbage of ['\u0000', '[[[', 'a = """', '= 1', 'a = 1\na = 2', '\x1b[31m', 'x'.repeat(100_000)]) {
      const bad = readApprovalSettings(garbage);
      expect(bad.ok).toBe(false);
      expect(JSON.stringify(bad).length).toBeLessThan(400);
    }
  });

  it('ignores non-boolean features', () => {
    expect(readApprovalSettings('[features]\na = true\nb = "yes"\nc = { d = true }\ne = false')).toMatchObject({
      features: { a: true, e: false },
    });
  });
});

describe('setApprovalMode on the corpus', () => {
  for (const { name, text } of corpus) {
    for (const mode of APPROVAL_MODES) {
      it(`${name} -> ${mode}`, () => {
        const after = edit(text, mode);
        // Reads back as the mode.
        expect(readApprovalSettings(after)).toMatchObject({ ok: true, mode });
        // Only the mode's keys differ.
        expect(rest(after)).toEqual(rest(text));
        const doc = parse(after) as Record<string, unknown>;
        if (mode === 'full-access') {
          expect(doc).toMatchObject({ approval_policy: 'never', sandbox_mode: 'danger-full-access' });
          expect(doc.approvals_reviewer).toBeUndefined();
        } else {
          // Auto-review keeps the reviewer name a file already has (an older Codex knows only guardian_subagent).
          const reviewer =
            mode === 'manual'
              ? 'user'
              : (parse(text) as Record<string, unknown>).approvals_reviewer === 'guardian_subagent'
                ? 'guardian_subagent'
                : 'auto_review';
          expect(doc).toMatchObject({ approval_policy: 'on-request', approvals_reviewer: reviewer });
          expect(doc.sandbox_mode).not.toBe('danger-full-access');
          const original = parse(text) as Record<string, unknown>;
          if (original.sandbox_mode !== 'danger-full-access') expect(doc.sandbox_mode).toEqual(original.sandbox_mode);
        }
        // Line endings, BOM, trailing newline, comments.
        const crlf = text.includes('\r\n');
        if (crlf) expect(after.replace(/\r\n/g, '')).not.toContain('\n');
        else expect(after).not.toContain('\r');
        expect(after.startsWith('\uFEFF')).toBe(text.startsWith('\uFEFF'));
        if (text.length > 0) expect(after.endsWith('\n')).toBe(text.endsWith('\n'));
        for (const line of text.split(/\r?\n/)) {
          if (/^\s*#/.test(line)) expect(after).toContain(line);
        }
        // Idempotent: switching again to the same mode changes nothing.
        expect(edit(after, mode)).toBe(after);
      });
    }
  }
});

describe('setApprovalMode, byte for byte', () => {
  it('creates the keys in an empty or missing file', () => {
    expect(edit('', 'manual')).toBe('approval_policy = "on-request"\napprovals_reviewer = "user"\n');
    expect(edit('', 'auto-review')).toBe('approval_policy = "on-request"\napprovals_reviewer = "auto_review"\n');
    expect(edit('', 'full-access')).toBe('approval_policy = "never"\nsandbox_mode = "danger-full-access"\n');
  });

  it('replaces values in place and keeps comments and order', () => {
    const text = readFileSync(path.join(DIR, '05-auto-review.toml'), 'utf8');
    expect(edit(text, 'manual')).toBe(
      'model = "gpt-5.5"\napproval_policy = "on-request" # asked when needed\napprovals_reviewer = "user"\n\n[features]\nimage_generation = true\n',
    );
    expect(edit(text, 'full-access')).toBe(
      'model = "gpt-5.5"\napproval_policy = "never" # asked when needed\nsandbox_mode = "danger-full-access"\n\n[features]\nimage_generation = true\n',
    );
  });

  it('leaving Full access drops the stale danger-full-access sandbox', () => {
    const text = readFileSync(path.join(DIR, '06-full-access.toml'), 'utf8');
    expect(edit(text, 'auto-review')).toBe(
      'approval_policy = "on-request"\napprovals_reviewer = "auto_review"\n\n[features]\nimage_generation = true\n',
    );
    expect(edit('sandbox_mode = "danger-full-access"\n', 'manual')).toBe('approval_policy = "on-request"\napprovals_reviewer = "user"\n');
  });

  it('keeps a sandbox the operator chose when it is not full access', () => {
    const text = readFileSync(path.join(DIR, '23-sandbox-workspace.toml'), 'utf8');
    expect(edit(text, 'manual')).toBe(
      'approval_policy = "on-request"\napprovals_reviewer = "user"\nsandbox_mode = "workspace-write"\n\n[sandbox_workspace_write]\nnetwork_access = true\n',
    );
  });

  it('going to Full access drops the reviewer', () => {
    expect(edit('approval_policy = "on-request"\napprovals_reviewer = "user"\nmodel = "m"\n', 'full-access')).toBe(
      'approval_policy = "never"\nsandbox_mode = "danger-full-access"\nmodel = "m"\n',
    );
  });

  it('replaces an inline or multi-line granular table in place', () => {
    const inline = readFileSync(path.join(DIR, '24-trailing-comment-in-value.toml'), 'utf8');
    expect(edit(inline, 'auto-review')).toBe(
      'approval_policy = "on-request" # custom on purpose\napprovals_reviewer = "auto_review"\nmodel = "gpt-5.5"\n',
    );
    const multi = readFileSync(path.join(DIR, '31-inline-table-multiline.toml'), 'utf8');
    expect(edit(multi, 'manual')).toBe('approval_policy = "on-request"\napprovals_reviewer = "user"\nmodel = "gpt-5.5"\n');
  });

  it('replaces dotted keys and [approval_policy.*] sections with one line', () => {
    const dotted = readFileSync(path.join(DIR, '09-granular-dotted.toml'), 'utf8');
    expect(edit(dotted, 'manual')).toBe('approval_policy = "on-request"\napprovals_reviewer = "user"\nmodel = "gpt-5.5"\n');
    const section = readFileSync(path.join(DIR, '08-granular-table.toml'), 'utf8');
    expect(edit(section, 'auto-review')).toBe(
      'model = "gpt-5.5"\napproval_policy = "on-request"\napprovals_reviewer = "auto_review"\n\n# Fine-grained approvals\n\n[features]\nimage_generation = false\n',
    );
  });

  it('inserts before the first table, after the leading comments', () => {
    const text = readFileSync(path.join(DIR, '12-tables-first.toml'), 'utf8');
    expect(edit(text, 'manual')).toBe(
      '# Codex config\n\napproval_policy = "on-request"\napprovals_reviewer = "user"\n\n# The model provider used offline\n[model_providers.fake]\n' +
        text.split('[model_providers.fake]\n')[1],
    );
    const attached = readFileSync(path.join(DIR, '26-comment-attached-to-first-table.toml'), 'utf8');
    expect(edit(attached, 'manual')).toBe(
      '# MCP servers\napproval_policy = "on-request"\napprovals_reviewer = "user"\n\n[mcp_servers.files]\ncommand = "files-mcp"\n',
    );
    expect(edit('[features]\nimage_generation = true\n', 'manual')).toBe(
      'approval_policy = "on-request"\napprovals_reviewer = "user"\n\n[features]\nimage_generation = true\n',
    );
  });

  it('keeps CRLF, a BOM and the absence of a trailing newline', () => {
    expect(edit(readFileSync(path.join(DIR, '32-crlf.toml'), 'utf8'), 'manual')).toBe(
      'model = "gpt-5.5"\r\napproval_policy = "on-request"\r\napprovals_reviewer = "user"\r\n\r\n[features]\r\nimage_generation = true\r\n',
    );
    expect(edit('\uFEFFmodel = "m"\n', 'auto-review')).toBe(
      '\uFEFFmodel = "m"\napproval_policy = "on-request"\napprovals_reviewer = "auto_review"\n',
    );
    expect(edit('model = "gpt-5.5"\napproval_policy = "never"', 'manual')).toBe(
      'model = "gpt-5.5"\napproval_policy = "on-request"\napprovals_reviewer = "user"',
    );
    expect(edit('# only a comment, no newline', 'full-access')).toBe(
      '# only a comment, no newline\napproval_policy = "never"\nsandbox_mode = "danger-full-access"',
    );
    expect(edit('\uFEFF# banner\r\n\r\n[features]\r\nimage_generation = true', 'manual')).toBe(
      '\uFEFF# banner\r\n\r\napproval_policy = "on-request"\r\napprovals_reviewer = "user"\r\n\r\n[features]\r\nimage_generation = true',
    );
  });

  it('leaves an already matching file byte-identical', () => {
    const text = readFileSync(path.join(DIR, '20-indented.toml'), 'utf8');
    expect(edit(text, 'manual')).toBe(text);
  });

  it('does not touch same-named keys in other tables or inside strings', () => {
    const added = 'approval_policy = "on-request"\napprovals_reviewer = "user"\n';
    for (const [name, extra] of [
      ['13-mcp-secrets.toml', ''],
      ['14-same-names-elsewhere.toml', '\n'],
      ['15-multiline-strings.toml', ''],
    ]) {
      const text = readFileSync(path.join(DIR, name), 'utf8');
      const after = edit(text, 'manual');
      expect(after).toContain(added);
      expect(after.replace(added, '')).toBe(extra + text);
    }
    expect(edit('model = "m"\nsandbox_mode = "danger-full-access" # yolo\nother = 1\n', 'manual')).toBe(
      'model = "m"\napproval_policy = "on-request"\napprovals_reviewer = "user"\nother = 1\n',
    );
  });
});

describe('setApprovalMode refuses', () => {
  it('a file that does not parse, saying where', () => {
    const result = setApprovalMode('approval_policy = "never"\nkey = sk-SECRET\n', 'manual');
    expect(result).toEqual({ error: expect.stringMatching(/^config\.toml does not parse: line 2, column 7/) });
    expect(JSON.stringify(result)).not.toContain('SECRET');
  });

  it('an unknown mode', () => {
    for (const mode of ['auto_review', '__proto__', 'toString', '', 'Manual', 'full-access ', 'full\u2011access', 42, null]) {
      expect(setApprovalMode('', mode as ApprovalMode)).toEqual({ error: 'unknown approval mode' });
      expect(isApprovalMode(mode)).toBe(false);
    }
    expect(APPROVAL_MODES.filter(isApprovalMode)).toEqual(['manual', 'auto-review', 'full-access']);
    expect(APPROVAL_MODES.map(describeApprovalMode)).toEqual(['Manual', 'Auto-review', 'Full access']);
    expect(describeApprovalMode('custom')).toBe('Custom');
  });

  it('handles a large file quickly', () => {
    const text = readFileSync(path.join(DIR, '30-big-file.toml'), 'utf8')
      .repeat(1)
      .concat(Array.from({ length: 3000 }, (_, k) => `\n[t${k}]\nv = "${'x'.repeat(50)}"\n`).join(''));
    const started = Date.now();
    const after = edit(text, 'auto-review');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(after.startsWith('model = "gpt-5.5"\napproval_policy = "on-request"\napprovals_reviewer = "auto_review"\n')).toBe(true);
  });
});

describe('setApprovalMode, random documents', () => {
  // Builds documents from pieces in random order and checks the round-trip
  // property on each: only the mode keys change, and the mode reads back.
  const pieces = [
    '# a comment\n',
    '\n',
    'model = "gpt-5.5"\n',
    'approval_policy = "never"\n',
    'approval_policy = "on-failure" # why\n',
    'approvals_reviewer = "guardian_subagent"\n',
    'sandbox_mode = "danger-full-access"\n',
    'sandbox_mode = "read-only"\n',
    'notify = ["a", # c\n  "b"]\n',
    's = """\n[x]\napproval_policy = 1\n"""\n',
    'approval_policy = { granular = { sandbox_approval = true, rules = true, skill_approval = true, request_permissions = true, mcp_elicitations = true } }\n',
  ];
  const tables = [
    '[features]\nimage_generation = true\n',
    '# tools\n[mcp_servers.a]\ncommand = "a"\nenv = { approval_policy = "never" }\n',
    '[[x.y]]\nz = 1\n',
  ];
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  it('keeps the property on 300 random documents', () => {
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      const top = pieces.filter(() => random() < 0.4).sort(() => random() - 0.5);
      const body = tables.filter(() => random() < 0.5);
      let text = top.join('') + body.join('\n');
      if (random() < 0.3) text = text.replace(/\n/g, '\r\n');
      if (random() < 0.2) text = text.replace(/\r?\n$/, '');
      let valid = true;
      try {
        parse(text);
      } catch {
        valid = false;
      }
      const mode = APPROVAL_MODES[Math.floor(random() * 3)];
      const result = setApprovalMode(text, mode);
      if (!valid) {
        expect(result).toHaveProperty('error');
        continue;
      }
      if ('error' in result) throw new Error(`${JSON.stringify(text)}: ${result.error}`);
      expect(readApprovalSettings(result.text)).toMatchObject({ ok: true, mode });
      expect(rest(result.text)).toEqual(rest(text));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('the field: reviewer names of every Codex version, and OpenAB guide configs', () => {
  const fixture = (name: string) => readFileSync(path.join(DIR, name), 'utf8');

  it('reads both reviewer names as Auto-review, and on-request with no reviewer as Manual (the default reviewer is the user)', () => {
    expect(readApprovalSettings('approval_policy = "on-request"\napprovals_reviewer = "guardian_subagent"\n')).toMatchObject({
      ok: true,
      mode: 'auto-review',
      approvalsReviewer: 'guardian_subagent',
    });
    expect(readApprovalSettings('approval_policy = "on-request"\napprovals_reviewer = "auto_review"\n')).toMatchObject({
      ok: true,
      mode: 'auto-review',
    });
    expect(readApprovalSettings('approval_policy = "on-request"\n')).toMatchObject({ ok: true, mode: 'manual' });
  });

  it('writes Auto-review with the reviewer name asked for, and keeps the name a file already has', () => {
    expect(edit('model = "m"\n', 'auto-review')).toBe('model = "m"\napproval_policy = "on-request"\napprovals_reviewer = "auto_review"\n');
    const old = setApprovalMode('model = "m"\n', 'auto-review', { autoReviewer: 'guardian_subagent' });
    expect(old).toEqual({ text: 'model = "m"\napproval_policy = "on-request"\napprovals_reviewer = "guardian_subagent"\n' });
    // From Manual back to Auto-review on a file that never had a reviewer name: the default.
    expect(
      edit('approval_policy = "never"\napprovals_reviewer = "guardian_subagent"\nsandbox_mode = "danger-full-access"\n', 'auto-review'),
    ).toBe('approval_policy = "on-request"\napprovals_reviewer = "guardian_subagent"\n');
  });

  it("flags the guide's [sandbox] table as ignored, with the mode it meant", () => {
    const settings = readApprovalSettings(fixture('39-guide-sandbox-table.toml'));
    expect(settings).toMatchObject({ ok: true, mode: 'default', guideMistake: { kind: 'sandbox-table', meant: 'auto-review' } });
    expect(describeGuideMistake({ kind: 'sandbox-table', meant: 'auto-review' })).toMatch(
      /Codex ignores that table: this agent is not on Auto-review/,
    );
    for (const [value, meant] of [
      ['full-access', 'full-access'],
      ['never', 'full-access'],
      ['on-request', 'manual'],
      ['guardian_subagent', 'auto-review'],
      ['whatever', null],
    ] as const) {
      expect(readApprovalSettings(`[sandbox]\napproval_policy = "${value}"\n`)).toMatchObject({
        guideMistake: { kind: 'sandbox-table', meant },
      });
    }
    // A [sandbox] table without approval_policy, or a table of another name, is not the guide's.
    expect(readApprovalSettings('[sandbox]\nnetwork = true\n')).not.toHaveProperty('guideMistake');
    expect(readApprovalSettings(fixture('23-sandbox-workspace.toml'))).not.toHaveProperty('guideMistake');
  });

  it("flags the guide's value at the top level, which Codex refuses, and nothing Codex accepts", () => {
    expect(readApprovalSettings(fixture('40-guide-top-level.toml'))).toMatchObject({
      ok: true,
      mode: 'custom',
      guideMistake: { kind: 'invalid-policy', meant: 'auto-review' },
    });
    expect(readApprovalSettings('approval_policy = "full-access"\n')).toMatchObject({
      guideMistake: { kind: 'invalid-policy', meant: 'full-access' },
    });
    for (const fine of ['on-request', 'never', 'on-failure'])
      expect(readApprovalSettings(`approval_policy = "${fine}"\n`)).not.toHaveProperty('guideMistake');
    expect(readApprovalSettings('approval_policy = "bogus"\n')).not.toHaveProperty('guideMistake');
  });

  it('repairs the [sandbox] table in one edit: the real keys for the mode it meant, the dead table gone, the rest kept', () => {
    const text = fixture('39-guide-sandbox-table.toml');
    const repaired = setApprovalMode(text, 'auto-review', { dropSandboxTable: true });
    expect(repaired).toEqual({
      text: '# As OpenAB\'s Codex guide says\nmodel = "gpt-5.5"\napproval_policy = "on-request"\napprovals_reviewer = "auto_review"\n\n\n[features]\nimage_generation = true\n',
    });
    const after = readApprovalSettings((repaired as { text: string }).text);
    expect(after).toMatchObject({ ok: true, mode: 'auto-review', features: { image_generation: true } });
    expect(after).not.toHaveProperty('guideMistake');
    // Dotted keys and sub-tables of `sandbox` go too; without the option the table stays.
    const dotted = setApprovalMode('sandbox.approval_policy = "auto-review"\n[sandbox.more]\nx = 1\n[other]\ny = 2\n', 'auto-review', {
      dropSandboxTable: true,
      autoReviewer: 'guardian_subagent',
    });
    expect(dotted).toEqual({ text: 'approval_policy = "on-request"\napprovals_reviewer = "guardian_subagent"\n[other]\ny = 2\n' });
    expect(edit(text, 'manual')).toContain('[sandbox]');
  });

  it("repairs the guide's top-level value in place", () => {
    expect(setApprovalMode(fixture('40-guide-top-level.toml'), 'auto-review', { autoReviewer: 'guardian_subagent' })).toEqual({
      text: 'approval_policy = "on-request" # from the guide\napprovals_reviewer = "guardian_subagent"\nmodel = "gpt-5.5"\n',
    });
  });
});
