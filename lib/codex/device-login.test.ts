import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkVerificationUrl, CODEX_DEFAULT_ISSUER, DEVICE_LOGIN_FAILURE_TEXT, parseDeviceLoginOutput } from './device-login';

// Exactly as in codex.md (no colour codes).
const REFERENCE = `Welcome to Codex [v0.169.0]
OpenAI's command-line coding agent

Follow these steps to sign in with ChatGPT using device code authorization:

1. Open this link in your browser and sign in to your account
   https://auth.openai.com/codex/device

2. Enter this one-time code (expires in 15 minutes)
   ABCD-EFGHI

Continue only if you started this login in Codex. If a website or another person gave you this code, cancel.
`;

// Captured from the real 0.169.0 binary against a local issuer, colours included.
const REAL = readFileSync(path.join(__dirname, 'fixtures/device-login-stdout-0.169.0.txt'), 'utf8');

const WAITING = { verificationUrl: 'https://auth.openai.com/codex/device', userCode: 'ABCD-EFGHI', expiresInMinutes: 15, state: 'waiting' };

describe('parseDeviceLoginOutput', () => {
  it('reads the reference output', () => {
    expect(parseDeviceLoginOutput(REFERENCE, '', null)).toEqual(WAITING);
  });

  it('reads the real coloured output', () => {
    expect(REAL).toContain('\x1b[94m');
    expect(parseDeviceLoginOutput(REAL, '', null)).toEqual({
      verificationUrl: 'http://127.0.0.1:18999/codex/device',
      userCode: 'QWER-TYUIO',
      expiresInMinutes: 15,
      state: 'waiting',
    });
  });

  it('reads the reference output with colour codes and CRLF', () => {
    const coloured = REFERENCE.replace('https://auth.openai.com/codex/device', '\x1b[94mhttps://auth.openai.com/codex/device\x1b[0m')
      .replace('ABCD-EFGHI', '\x1b[1;94mABCD-EFGHI\x1b[0m')
      .replace('(expires in 15 minutes)', '\x1b[90m(expires in 15 minutes)\x1b[0m')
      .replace(/\n/g, '\r\n');
    expect(parseDeviceLoginOutput(coloured, '', null)).toEqual(WAITING);
  });

  it('is starting while the output is still partial', () => {
    expect(parseDeviceLoginOutput('', '', null)).toEqual({ state: 'starting' });
    expect(parseDeviceLoginOutput(REFERENCE.slice(0, 120), '', null)).toEqual({ state: 'starting' });
    expect(parseDeviceLoginOutput(REFERENCE.slice(0, REFERENCE.indexOf('2.')), '', null)).toEqual({
      state: 'starting',
      verificationUrl: 'https://auth.openai.com/codex/device',
    });
  });

  it('tolerates small wording changes', () => {
    const reworded =
      'Sign in:\n  1) Visit https://login.example.com/codex/device?x=1.\n  2) Enter the code: WXYZ-1234 (expires in 10 min)\n';
    expect(parseDeviceLoginOutput(reworded, '', null)).toEqual({
      verificationUrl: 'https://login.example.com/codex/device?x=1',
      userCode: 'WXYZ-1234',
      expiresInMinutes: 10,
      state: 'waiting',
    });
  });

  it('reads success', () => {
    expect(parseDeviceLoginOutput(REFERENCE, 'Successfully logged in\n', 0)).toEqual({ ...WAITING, state: 'succeeded' });
    // Both streams captured into one file.
    expect(parseDeviceLoginOutput(REFERENCE + 'Successfully logged in\n', '', null).state).toBe('succeeded');
  });

  const failures: Array<[string, number | null, string]> = [
    ['Error logging in: error sending request for url (https://auth.openai.com/api/accounts/deviceauth/usercode)', 1, 'no-network'],
    [
      'Error logging in: device code login is not enabled for this Codex server. Use the browser login or verify the server URL.',
      1,
      'device-login-disabled',
    ],
    ['Error logging in: device auth failed with status 400 Bad Request', 1, 'denied-or-bad-request'],
    ['device auth timed out after 15 minutes', 1, 'expired'],
  ];

  it.each(failures)('classifies %j', (printed, exitCode, kind) => {
    // The message is Codex's reason, with what is not Codex's wording (the URL) hidden.
    const line = printed.replace(/\(https:[^)]*\)/, '(hidden)');
    const stderr = 'WARNING: proceeding, even though we could not create PATH aliases: x\n' + printed + '\n';
    expect(parseDeviceLoginOutput(REFERENCE, stderr, exitCode)).toEqual({ ...WAITING, state: 'failed', failure: { kind, message: line } });
    // With colours, and before the exit code is known.
    expect(parseDeviceLoginOutput(REFERENCE, `\x1b[31m${printed}\x1b[0m\r\n`, null)).toMatchObject({
      state: 'failed',
      failure: { kind, message: line },
    });
    // Both streams in one file.
    expect(parseDeviceLoginOutput(REFERENCE + printed + '\n', '', exitCode)).toMatchObject({
      state: 'failed',
      failure: { kind, message: line },
    });
    expect(DEVICE_LOGIN_FAILURE_TEXT[kind as keyof typeof DEVICE_LOGIN_FAILURE_TEXT]).toBeTruthy();
  });

  it('names a missing codex', () => {
    expect(parseDeviceLoginOutput('', 'sh: 1: codex: not found\n', 127)).toEqual({
      state: 'failed',
      failure: { kind: 'codex-missing', message: 'sh: 1: codex: not found' },
    });
    expect(parseDeviceLoginOutput('', 'timeout: failed to run command ‘codex’: No such file or directory', 127).failure?.kind).toBe(
      'codex-missing',
    );
    expect(parseDeviceLoginOutput('', '', 127)).toEqual({
      state: 'failed',
      failure: { kind: 'codex-missing', message: 'codex exited with code 127' },
    });
  });

  it('reads the bounding timeout as an expired code', () => {
    expect(parseDeviceLoginOutput(REFERENCE, '', 124)).toEqual({
      ...WAITING,
      state: 'failed',
      failure: { kind: 'expired', message: 'device auth timed out' },
    });
  });

  it('falls back to unknown with the last line', () => {
    expect(parseDeviceLoginOutput(REFERENCE, 'something odd happened\n', 2)).toMatchObject({
      state: 'failed',
      failure: { kind: 'unknown', message: 'something odd happened' },
    });
    expect(parseDeviceLoginOutput('', '', 143)).toMatchObject({
      state: 'failed',
      failure: { kind: 'unknown', message: 'codex exited with code 143' },
    });
  });

  it('survives hostile output', () => {
    const huge = 'x'.repeat(1_000_000);
    expect(parseDeviceLoginOutput(huge, huge, null)).toEqual({ state: 'starting' });
    const failed = parseDeviceLoginOutput('', 'Error logging in: ' + huge, 1);
    expect(failed.failure?.message.length).toBeLessThanOrEqual(401);
    expect(parseDeviceLoginOutput('javascript:alert(1) one-time code\n<script>\n', '', null)).toEqual({ state: 'starting' });
    expect(parseDeviceLoginOutput('\u0000\u0001\x1b]8;;http://evil\x07link\x1b]8;;\x07', '', null).state).toBe('starting');
  });
});

describe('checkVerificationUrl', () => {
  it('accepts only the login server origin', () => {
    expect(checkVerificationUrl('https://auth.openai.com/codex/device', CODEX_DEFAULT_ISSUER)).toEqual({ ok: true });
    expect(checkVerificationUrl('http://127.0.0.1:18999/codex/device', 'http://127.0.0.1:18999')).toEqual({ ok: true });
    for (const url of [
      'https://auth.openai.com.evil.example/codex/device',
      'https://evil.example/?https://auth.openai.com/',
      'http://auth.openai.com/codex/device',
      'https://a@auth.openai.com/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      const check = checkVerificationUrl(url, CODEX_DEFAULT_ISSUER);
      expect(check.ok, url).toBe(false);
      if (!check.ok) expect(check.reason, url).not.toContain('evil');
    }
    expect(checkVerificationUrl('https://auth.openai.com/codex/device', 'nonsense').ok).toBe(false);
  });
});
