import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isUnstableStage, isValidFeatureName, parseFeatureToggleOutput, parseFeaturesList } from './features';

// Captured from the real `codex features list` of @openai/codex 0.169.0.
const REAL = readFileSync(path.join(__dirname, 'fixtures/features-list-0.169.0.txt'), 'utf8');

const BACKTRACE = '\nStack backtrace:\n   0: <unknown>\n   1: <unknown>\n';
const PATH_WARNING =
  'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp" (codex_home: AbsolutePathBuf("/tmp/h"))\n';

describe('parseFeaturesList', () => {
  it('parses the real 0.169.0 list', () => {
    const features = parseFeaturesList(REAL);
    expect(features).toHaveLength(215);
    expect(features).toContainEqual({ name: 'image_generation', stage: 'stable', enabled: true });
    expect(features).toContainEqual({ name: 'agent_message_board', stage: 'under development', enabled: false });
    expect(features).toContainEqual({ name: 'guardianv2.thread_context', stage: 'removed', enabled: false });
    expect(isValidFeatureName('guardianv2.thread_context', features)).toBe(false);
    expect(features).toContainEqual({ name: 'analytics_plan_history', stage: 'experimental', enabled: false });
    const stages = new Set(features.map((f) => f.stage));
    expect([...stages].sort()).toEqual(['deprecated', 'experimental', 'removed', 'stable', 'under development']);
  });

  it('parses the line from the reference', () => {
    expect(parseFeaturesList('image_generation                         stable             true')).toEqual([
      { name: 'image_generation', stage: 'stable', enabled: true },
    ]);
  });

  it('tolerates ANSI colours, CRLF, blank lines, headers and garbage', () => {
    const text = [
      PATH_WARNING.trim(),
      'Feature                                  Stage              Enabled',
      '',
      '\x1b[1mimage_generation\x1b[0m                         \x1b[32mstable\x1b[0m             \x1b[32mtrue\x1b[0m',
      '   ',
      'agent_message_board                      under development  false',
      'Error: something went wrong true',
      '$(rm -rf ~)                              stable             true',
      'x'.repeat(10_000) + ' stable true',
      'half_line                                stable',
      'tabbed_feature\tstable\tfalse',
    ].join('\r\n');
    expect(parseFeaturesList(text)).toEqual([
      { name: 'image_generation', stage: 'stable', enabled: true },
      { name: 'agent_message_board', stage: 'under development', enabled: false },
      { name: 'tabbed_feature', stage: 'stable', enabled: false },
    ]);
  });

  it('keeps an unknown future stage as printed', () => {
    expect(parseFeaturesList('new_thing   beta preview   true\nnew_thing  stable  false')).toEqual([
      { name: 'new_thing', stage: 'beta preview', enabled: true },
    ]);
  });

  it('returns nothing for empty or hostile input, fast', () => {
    expect(parseFeaturesList('')).toEqual([]);
    expect(parseFeaturesList('\u0000\u0001\u0002')).toEqual([]);
    const started = Date.now();
    expect(parseFeaturesList('a '.repeat(500_000) + 'true')).toEqual([]);
    expect(parseFeaturesList(('a' + ' '.repeat(50)).repeat(50_000))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('isValidFeatureName', () => {
  const known = parseFeaturesList(REAL);

  it('accepts listed names', () => {
    expect(isValidFeatureName('image_generation', known)).toBe(true);
    expect(isValidFeatureName('agent_message_board', known)).toBe(true);
  });

  it.each([
    ['image_generation; rm -rf ~'],
    ['--help'],
    ['-h'],
    ['../x'],
    ['image_generation\n'],
    [' image_generation'],
    ['IMAGE_GENERATION'],
    ['im\u0430ge_generation'], // Cyrillic а
    ['\uff49mage_generation'], // fullwidth i
    ['image\u200b_generation'], // zero-width space
    ['image_generation\u200d'],
    ['\u202eimage_generation'],
    ['image_generation\u0000'],
    ['$(id)'],
    [''],
    ['not_a_feature_at_all'],
    ['a'.repeat(10_000)],
  ])('rejects %#', (name) => {
    expect(isValidFeatureName(name, known)).toBe(false);
  });

  it('rejects non-strings and names missing from an empty list', () => {
    expect(isValidFeatureName(42 as unknown as string, known)).toBe(false);
    expect(isValidFeatureName('image_generation', [])).toBe(false);
  });

  it('never trusts a hostile name that slipped into the list', () => {
    expect(isValidFeatureName('--help', [{ name: '--help', stage: 'stable', enabled: true }])).toBe(false);
  });

  it('flags unstable stages', () => {
    expect(isUnstableStage('under development')).toBe(true);
    expect(isUnstableStage('experimental')).toBe(true);
    expect(isUnstableStage('stable')).toBe(false);
  });
});

describe('parseFeatureToggleOutput', () => {
  it('reads a successful enable and disable (real output)', () => {
    expect(parseFeatureToggleOutput('Enabled feature `image_generation` in config.toml.\n', PATH_WARNING, 0)).toEqual({
      status: 'ok',
      name: 'image_generation',
      enabled: true,
      message: 'Enabled feature `image_generation` in config.toml.',
    });
    expect(parseFeatureToggleOutput('Disabled feature `agent_message_board` in config.toml.\r\n', '', 0)).toMatchObject({
      status: 'ok',
      name: 'agent_message_board',
      enabled: false,
    });
  });

  it('passes on the under-development warning', () => {
    const stderr =
      PATH_WARNING +
      'Under-development features enabled: agent_message_board. Under-development features are incomplete and may behave unpredictably. To suppress this warning, set `suppress_unstable_features_warning = true` in /home/node/.codex/config.toml.\n';
    const result = parseFeatureToggleOutput('Enabled feature `agent_message_board` in config.toml.\n', stderr, 0);
    expect(result.status).toBe('ok');
    expect(result.status === 'ok' && result.warning).toMatch(/^Under-development features enabled: agent_message_board/);
  });

  it('reads an unknown feature (real output)', () => {
    expect(parseFeatureToggleOutput('', PATH_WARNING + 'Error: Unknown feature flag: nope_x\n' + BACKTRACE, 1)).toEqual({
      status: 'unknown-feature',
      name: 'nope_x',
      message: 'Error: Unknown feature flag: nope_x',
    });
    expect(parseFeatureToggleOutput('', '\x1b[31mError: Unknown feature flag: --help\x1b[0m\r\n', 1)).toMatchObject({
      status: 'unknown-feature',
      name: '--help',
    });
  });

  it('reads a config parse error without echoing file content', () => {
    const stderr =
      PATH_WARNING +
      'Error: failed to load bootstrap configuration\n\nCaused by:\n    0: /home/node/.codex/config.toml:1:5: string values must be quoted, expected literal string\n    1: TOML parse error at line 1, column 5\n         |\n       1 | token = sk-SECRET\n         |     ^\n       string values must be quoted, expected literal string\n       \n' +
      BACKTRACE;
    const result = parseFeatureToggleOutput('', stderr, 1);
    expect(result.status).toBe('error');
    expect(result.message).toContain('failed to load bootstrap configuration');
    expect(result.message).toContain('config.toml line 1, column 5: string values must be quoted');
    expect(result.message).not.toContain('sk-SECRET');
    expect(result.message).not.toContain('Stack backtrace');
    expect(result.message).not.toContain('PATH aliases');
  });

  it('names a missing codex and a killed process', () => {
    expect(parseFeatureToggleOutput('', 'sh: 1: codex: not found\n', 127)).toEqual({
      status: 'error',
      message: 'Codex is not installed in this container (command not found).',
    });
    expect(parseFeatureToggleOutput('', '', null)).toEqual({ status: 'error', message: 'Codex did not finish (killed or timed out).' });
    expect(parseFeatureToggleOutput('', '', 2)).toEqual({ status: 'error', message: 'Codex exited with code 2.' });
  });

  it('caps an enormous error', () => {
    const result = parseFeatureToggleOutput('', 'Error: ' + 'x'.repeat(100_000), 1);
    expect(result.message.length).toBeLessThanOrEqual(601);
  });
});
