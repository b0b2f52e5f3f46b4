import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { codexErrorMessage, stripAnsi } from './cli-output';

describe('stripAnsi', () => {
  it('removes colours, OSC links and CR', () => {
    expect(stripAnsi('\x1b[1;94mABCD\x1b[0m\r\n\x1b]8;;https://x\x07link\x1b]8;;\x07\r')).toBe('ABCD\nlink\n');
    expect(stripAnsi('plain')).toBe('plain');
  });

  it('is fast on hostile input', () => {
    const started = Date.now();
    stripAnsi('\x1b['.repeat(200_000) + '\x1b]'.repeat(200_000));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('codexErrorMessage', () => {
  const dir = path.join(__dirname, 'fixtures', 'codex-errors');
  const captured = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(dir, d.name)).map((f) => [`${d.name}/${f}`, readFileSync(path.join(dir, d.name, f), 'utf8')] as const),
    );

  it.each(captured)('keeps no source from %s, only Codex reason', (_name, stderr) => {
    const message = codexErrorMessage(stderr);
    expect(message).toBeTruthy();
    expect(message).not.toMatch(/MARKER|ghp_|a1b2c3|\||\^|<unknown>|backtrace|WARNING|\/home\/node/);
    // The position Codex gave stays.
    const at = /config\.toml:(\d+):(\d+)/.exec(stderr);
    if (at) expect(message).toContain(`config.toml line ${at[1]}, column ${at[2]}`);
  });

  it('keeps the reason of a config.toml Codex cannot parse (0.169.0 and 0.121.0)', () => {
    const read = (f: string) => codexErrorMessage(readFileSync(path.join(dir, f), 'utf8'));
    expect(read('0.169.0/unquoted-value.stderr')).toBe(
      'Error: failed to load bootstrap configuration\nconfig.toml line 4, column 40: string values must be quoted, expected literal string\nTOML parse error at line 4, column 40',
    );
    expect(read('0.121.0/unquoted-value.stderr')).toBe(
      'Error: config.toml line 4, column 40: string values must be quoted, expected literal string\nTOML parse error at line 4, column 40',
    );
    expect(read('0.169.0/unknown-variant.stderr')).toBe(
      'Error: failed to load bootstrap configuration\nunknown variant (hidden), expected one of `untrusted`, `on-failure`, `on-request`, `granular`, `never`\nin `approval_policy`',
    );
    expect(read('0.121.0/reviewer.stderr')).toContain('expected `user` or `guardian_subagent`');
    expect(read('0.169.0/features-bad.stderr')).toBe(
      'Error: failed to load bootstrap configuration\ninvalid type: string (hidden), expected a boolean\nin `features`',
    );
    expect(read('0.169.0/legacy-profile.stderr')).toBe(
      'Error: failed to load configuration\nlegacy `profile = (hidden)` config is no longer supported; use (hidden) with (hidden) instead',
    );
    expect(read('0.169.0/unknown-feature.stderr')).toBe('Error: Unknown feature flag: no_such_feature_x');
  });

  it('hides source quoted inside a message line, in any wording', () => {
    const lines = [
      'Error: invalid key `ghp_SECRET1a2b3c`',
      'Error: config.toml:3:7: unexpected token, found `ghp_SECRET1a2b3c` expected `=`',
      'Error: config.toml:3:7: found "hunter2 = ghp_SECRET1a2b3c"',
      "Error: config.toml:3:7: found 'ghp_SECRET1a2b3c'",
      'Error: unexpected ghp_SECRET1a2b3c at line 3',
      'Error: bad value sk-proj-SECRET1a2b3c in `mcp_servers.gh.env`',
      'Error: key `GITHUB_PERSONAL_ACCESS_TOKEN` wrong in `mcp_servers.ghp_SECRET1a2b3c.env`',
      'Error: unknown variant `ghp_SECRET1a2b3c`, expected `user`',
      '   0: https://user:ghp_SECRET1a2b3c@example.com/x',
    ];
    for (const line of lines) {
      const message = codexErrorMessage(line) ?? '';
      expect(message, line).not.toMatch(/SECRET|hunter|GITHUB_PERSONAL/);
    }
    expect(codexErrorMessage(lines[1])).toBe('Error: config.toml line 3, column 7: unexpected token, found (hidden) expected `=`');
  });

  it('drops backtraces, warnings and snippet lines; keeps plain failures', () => {
    const stderr = [
      'WARNING: proceeding, even though we could not create PATH aliases: x',
      'Error: failed to load bootstrap configuration',
      '',
      'Caused by:',
      '    0: /home/node/.codex/config.toml:2:10: invalid key',
      '         |',
      '       2 | secret = hunter2 oops',
      '         |          ^',
      '',
      'Stack backtrace:',
      '   0: <unknown>',
    ].join('\n');
    expect(codexErrorMessage(stderr)).toBe('Error: failed to load bootstrap configuration\nconfig.toml line 2, column 10: invalid key');
    expect(codexErrorMessage('device auth timed out after 15 minutes\n')).toBe('device auth timed out after 15 minutes');
    expect(
      codexErrorMessage('Error logging in: error sending request for url (https://auth.openai.com/api/accounts/deviceauth/usercode)'),
    ).toBe('Error logging in: error sending request for url (hidden)');
    expect(codexErrorMessage('')).toBeUndefined();
    expect(codexErrorMessage('ghp_SECRET1a2b3c\n{ x = 1 }\n')).toBeUndefined();
  });

  it('is bounded and fast on hostile input', () => {
    const started = Date.now();
    const message = codexErrorMessage(('Error: ' + 'word '.repeat(5000) + '`x'.repeat(5000) + '\n').repeat(50)) ?? '';
    expect(message.length).toBeLessThanOrEqual(601);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
