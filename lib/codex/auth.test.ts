import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AuthFacts, authReducerProgram, parseLoginStatus, describeLogin, needsAttention, reduceAuthJson, summarizeAuth } from './auth';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJlLXNlY3JldA`;

const NOW = new Date('2026-11-25T18:00:00Z');
const nowS = Math.floor(NOW.getTime() / 1000);

const ACCESS_SECRET_MARK = 'ACCESSSECRET';
const REFRESH = 'rt_REFRESHSECRET_abcdefghijklmnopqrstuvwxyz';

function chatgptAuth(opts: { exp?: number; idClaims?: Record<string, unknown>; lastRefresh?: string } = {}) {
  const id = jwt(
    opts.idClaims ?? {
      email: 'ada@example.com',
      'https://api.openai.com/auth': { chatgpt_plan_type: 'plus', chatgpt_account_id: 'acc-1234' },
    },
  );
  const access = jwt({ sub: ACCESS_SECRET_MARK, ...(opts.exp !== undefined ? { exp: opts.exp } : {}) });
  return JSON.stringify(
    {
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: {
        id_token: id,
        access_token: access,
        refresh_token: REFRESH,
        account_id: 'acc-1234',
        oauth_provenance: { issuer: 'https://auth.openai.com', client_id: 'app_x' },
        login_owner_id: 'owner',
      },
      last_refresh: opts.lastRefresh ?? '2026-11-24T10:00:00.123456Z',
    },
    null,
    2,
  );
}

function assertNoSecret(facts: AuthFacts, secrets: string[]) {
  const out = JSON.stringify(facts);
  for (const secret of secrets) expect(out).not.toContain(secret);
}

describe('reduceAuthJson', () => {
  it('reports a missing file', () => {
    expect(reduceAuthJson(null)).toEqual({ present: false, hasTokens: false });
  });

  it('reduces a ChatGPT login to identity and expiry, no token bytes', () => {
    const text = chatgptAuth({ exp: nowS + 3 * 86400 });
    const facts = reduceAuthJson(text);
    expect(facts).toEqual({
      present: true,
      authMode: 'chatgpt',
      hasTokens: true,
      email: 'ada@example.com',
      plan: 'plus',
      accountId: 'acc-1234',
      accessTokenExp: nowS + 3 * 86400,
      lastRefresh: '2026-11-24T10:00:00.123456Z',
    });
    const tokens = JSON.parse(text).tokens;
    assertNoSecret(facts, [tokens.id_token, tokens.access_token, REFRESH, ACCESS_SECRET_MARK, 'c2lnbmF0dXJl']);
  });

  it('reads the email from the profile claim when the top-level one is absent', () => {
    const facts = reduceAuthJson(
      chatgptAuth({
        idClaims: {
          'https://api.openai.com/profile': { email: 'grace@example.org' },
          'https://api.openai.com/auth': { chatgpt_plan_type: 'team', chatgpt_account_id: 'acct_9' },
        },
      }),
    );
    expect(facts.email).toBe('grace@example.org');
    expect(facts.plan).toBe('team');
    expect(facts.accountId).toBe('acc-1234'); // tokens.account_id wins
  });

  it('masks an API key exactly as Codex does', () => {
    // Observed with the real CLI: `API key configured - sk-proj-***23456`.
    const facts = reduceAuthJson(JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz123456' }));
    expect(facts.apiKeyMasked).toBe('sk-proj-***23456');
    expect(facts.hasTokens).toBe(false);
    // 13 characters or fewer: Codex prints only '***'.
    expect(reduceAuthJson(JSON.stringify({ OPENAI_API_KEY: 'sk-1234567890' })).apiKeyMasked).toBe('***');
    expect(reduceAuthJson(JSON.stringify({ OPENAI_API_KEY: 'sk-12345678901' })).apiKeyMasked).toBe('sk-12345***78901');
    expect(reduceAuthJson(JSON.stringify({ OPENAI_API_KEY: 'short' })).apiKeyMasked).toBe('***');
  });

  it('never echoes garbage or a broken file', () => {
    const secret = 'sk-live-SUPERSECRETVALUE-0123456789';
    for (const text of [`{"OPENAI_API_KEY": "${secret}"`, `${secret}`, `\u0000\u0001${secret}`, '\x1b[31m' + secret]) {
      const facts = reduceAuthJson(text);
      expect(facts.present).toBe(true);
      expect(facts.parseError).toBe('not valid JSON');
      assertNoSecret(facts, [secret, 'SUPERSECRET']);
    }
    expect(reduceAuthJson('').parseError).toBe('empty file');
    expect(reduceAuthJson('  \r\n').parseError).toBe('empty file');
  });

  it('refuses enormous input without parsing it', () => {
    const huge = '{"x":"' + 'a'.repeat(2 * 1024 * 1024) + '"}';
    const started = Date.now();
    expect(reduceAuthJson(huge)).toEqual({ present: true, parseError: 'too large', hasTokens: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects non-object JSON', () => {
    for (const text of ['[]', '"x"', '42', 'null', 'true', '[{"auth_mode":"chatgpt"}]']) {
      expect(reduceAuthJson(text).parseError).toBe('not a JSON object');
    }
  });

  it('survives wrong types everywhere', () => {
    const facts = reduceAuthJson(
      JSON.stringify({
        auth_mode: 42,
        OPENAI_API_KEY: { nested: 'sk-secret-object-key-000000' },
        tokens: ['id', 'access'],
        last_refresh: 7,
      }),
    );
    expect(facts).toEqual({ present: true, hasTokens: false });
    const odd = reduceAuthJson(
      JSON.stringify({
        auth_mode: 'chatgpt',
        tokens: { id_token: 5, access_token: 'not.a-jwt', refresh_token: null, account_id: { a: 1 } },
      }),
    );
    expect(odd).toEqual({ present: true, authMode: 'chatgpt', hasTokens: true });
    const badPayload = reduceAuthJson(
      JSON.stringify({ tokens: { id_token: 'a.!!!!.c', access_token: `a.${Buffer.from('not json').toString('base64url')}.c` } }),
    );
    expect(badPayload.email).toBeUndefined();
    expect(badPayload.accessTokenExp).toBeUndefined();
    const arrayPayload = reduceAuthJson(
      JSON.stringify({ tokens: { access_token: `a.${b64([1, 2])}.c`, id_token: `a.${b64({ email: 42 })}.c` } }),
    );
    expect(arrayPayload).toEqual({ present: true, hasTokens: true });
  });

  it('does not let a token pasted into a displayed field escape', () => {
    const secret = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.SIGNATURE_SECRET_VALUE_THAT_IS_LONG_ENOUGH_TO_MATTER';
    const facts = reduceAuthJson(
      JSON.stringify({
        auth_mode: secret,
        last_refresh: secret,
        tokens: {
          account_id: secret,
          id_token: jwt({ email: secret, 'https://api.openai.com/auth': { chatgpt_plan_type: secret } }),
        },
      }),
    );
    assertNoSecret(facts, ['SIGNATURE_SECRET']);
    expect(facts.authMode).toBe('unrecognised');
    expect(facts.accountId).toBeUndefined();
    expect(facts.plan).toBeUndefined();
    expect(facts.email).toBeUndefined();
    expect(facts.lastRefresh).toBeUndefined();
  });

  it('caps strings from claims', () => {
    const facts = reduceAuthJson(JSON.stringify({ tokens: { id_token: jwt({ email: 'a'.repeat(500) + '@x.io' }) } }));
    expect(facts.email).toBeUndefined();
  });

  it('names newer credential fields without their values', () => {
    const facts = reduceAuthJson(
      JSON.stringify({
        auth_mode: 'agent_identity',
        agent_identity: { secret: 'AGENTSECRET' },
        personal_access_token: 'PATSECRET',
        bedrock_api_key: null,
      }),
    );
    expect(facts.extraModes).toEqual(['agent_identity', 'personal_access_token']);
    assertNoSecret(facts, ['AGENTSECRET', 'PATSECRET']);
  });

  it('handles a BOM and CRLF', () => {
    const text =
      '\uFEFF' +
      JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz123456' }, null, 2).replace(/\n/g, '\r\n');
    expect(reduceAuthJson(text).apiKeyMasked).toBe('sk-proj-***23456');
  });

  it('runs from its own source in a bare node, as the pod does', () => {
    const source = reduceAuthJson.toString();
    expect(source).not.toMatch(/\b(require|import|__name|_type_of|__spreadValues)\b/);
    const text = chatgptAuth({ exp: nowS + 100 });
    const program = `const reduce = (${source});\nlet s = '';\nprocess.stdin.on('data', (c) => { s += c; });\nprocess.stdin.on('end', () => { process.stdout.write(JSON.stringify([reduce(s), reduce(null), reduce('{')])); });`;
    const out = execFileSync(process.execPath, ['-e', program], { input: text, encoding: 'utf8' });
    const [facts, missing, broken] = JSON.parse(out);
    expect(facts).toEqual(reduceAuthJson(text));
    expect(missing).toEqual({ present: false, hasTokens: false });
    expect(broken.parseError).toBe('not valid JSON');
    expect(out).not.toContain(ACCESS_SECRET_MARK);
  });
});

describe('summarizeAuth', () => {
  const chatgpt = (exp?: number, lastRefresh?: string) => summarizeAuth(reduceAuthJson(chatgptAuth({ exp, lastRefresh })), NOW);

  it('classifies ChatGPT expiry from the access token exp', () => {
    expect(chatgpt(nowS + 3 * 86400)).toMatchObject({
      kind: 'chatgpt',
      email: 'ada@example.com',
      plan: 'plus',
      expiry: 'ok',
      expiryBasis: 'access-token',
    });
    expect(chatgpt(nowS + 3600)).toMatchObject({ expiry: 'soon' });
    expect(chatgpt(nowS)).toMatchObject({ expiry: 'expired' }); // exp <= now
    expect(chatgpt(nowS - 1)).toMatchObject({ expiry: 'expired', expiresAt: new Date((nowS - 1) * 1000).toISOString() });
  });

  it('falls back to last_refresh older than 8 days when exp is missing', () => {
    expect(chatgpt(undefined, '2026-11-20T18:00:00Z')).toMatchObject({ expiry: 'ok', expiryBasis: 'last-refresh' });
    expect(chatgpt(undefined, '2026-11-17T20:00:00Z')).toMatchObject({ expiry: 'soon' });
    expect(chatgpt(undefined, '2026-11-17T18:00:00Z')).toMatchObject({ expiry: 'expired' });
    expect(chatgpt(undefined, '2026-10-01T00:00:00Z')).toMatchObject({ expiry: 'expired' });
  });

  it('says unknown when nothing tells the expiry', () => {
    const facts: AuthFacts = { present: true, authMode: 'chatgpt', hasTokens: true };
    expect(summarizeAuth(facts, NOW)).toEqual({ kind: 'chatgpt', expiry: 'unknown' });
  });

  it('maps the other states', () => {
    expect(summarizeAuth(reduceAuthJson(null), NOW)).toEqual({ kind: 'not-logged-in' });
    expect(summarizeAuth(reduceAuthJson('{oops'), NOW)).toEqual({ kind: 'unreadable', reason: 'not valid JSON' });
    expect(summarizeAuth(reduceAuthJson('{}'), NOW)).toEqual({ kind: 'not-logged-in' });
    expect(summarizeAuth(reduceAuthJson('{"auth_mode":"chatgpt","OPENAI_API_KEY":null}'), NOW)).toEqual({ kind: 'not-logged-in' });
    expect(summarizeAuth(reduceAuthJson('{"auth_mode":"apikey","OPENAI_API_KEY":null}'), NOW)).toEqual({ kind: 'not-logged-in' });
    expect(summarizeAuth(reduceAuthJson('{"OPENAI_API_KEY":"sk-proj-abcdefghijklmnopqrstuvwxyz123456"}'), NOW)).toEqual({
      kind: 'apikey',
      masked: 'sk-proj-***23456',
    });
    expect(summarizeAuth(reduceAuthJson('{"auth_mode":"agent_identity","agent_identity":{"k":"v"}}'), NOW)).toEqual({
      kind: 'other',
      mode: 'agent_identity',
      extraModes: ['agent_identity'],
    });
  });

  it('sorts what needs attention and labels it', () => {
    expect(needsAttention({ kind: 'not-logged-in' })).toBe(true);
    expect(needsAttention({ kind: 'unreadable', reason: 'x' })).toBe(true);
    expect(needsAttention(chatgpt(nowS - 10))).toBe(true);
    expect(needsAttention(chatgpt(nowS + 60))).toBe(true);
    expect(needsAttention(chatgpt(nowS + 10 * 86400))).toBe(false);
    expect(needsAttention({ kind: 'apikey', masked: '***' })).toBe(false);
    expect(describeLogin(chatgpt(nowS + 10 * 86400))).toBe('ChatGPT: ada@example.com (plus)');
    expect(describeLogin(chatgpt(nowS - 10))).toContain('expired');
    expect(describeLogin(chatgpt(nowS + 60))).toContain('about to expire');
    expect(describeLogin({ kind: 'apikey', masked: 'sk-proj-***23456' })).toBe('API key sk-proj-***23456');
    expect(describeLogin({ kind: 'not-logged-in' })).toBe('Not logged in');
    expect(describeLogin({ kind: 'unreadable', reason: 'too large' })).toBe('auth.json unreadable (too large)');
    expect(describeLogin({ kind: 'other', mode: 'agent_identity' })).toBe('Logged in (agent_identity)');
  });
});

describe('authReducerProgram', () => {
  it('reduces a file in a bare node and prints only facts', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'auth-reducer-'));
    try {
      const run = (file: string) => JSON.parse(execFileSync(process.execPath, ['-e', authReducerProgram(), file], { encoding: 'utf8' }));
      const text = chatgptAuth({ exp: nowS + 100 });
      writeFileSync(path.join(dir, 'auth.json'), text);
      const out = execFileSync(process.execPath, ['-e', authReducerProgram(), path.join(dir, 'auth.json')], { encoding: 'utf8' });
      expect(out).not.toContain(ACCESS_SECRET_MARK);
      expect(out).not.toContain('REFRESHSECRET');
      expect(JSON.parse(out)).toEqual(reduceAuthJson(text));
      expect(run(path.join(dir, 'missing.json'))).toEqual({ present: false, hasTokens: false });
      writeFileSync(path.join(dir, 'big.json'), Buffer.alloc(2 * 1024 * 1024, 0x20));
      expect(run(path.join(dir, 'big.json'))).toEqual({ present: true, parseError: 'too large', hasTokens: false });
      mkdirSync(path.join(dir, 'adir'));
      expect(run(path.join(dir, 'adir'))).toEqual({ present: true, parseError: 'cannot read (EISDIR)', hasTokens: false });
      writeFileSync(path.join(dir, 'garbage.json'), 'sk-SECRET-garbage');
      chmodSync(path.join(dir, 'garbage.json'), 0o600);
      const garbage = execFileSync(process.execPath, ['-e', authReducerProgram(), path.join(dir, 'garbage.json')], { encoding: 'utf8' });
      expect(garbage).not.toContain('SECRET');
      expect(JSON.parse(garbage).parseError).toBe('not valid JSON');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseLoginStatus', () => {
  const warn = 'WARNING: proceeding, even though we could not create PATH aliases: x\n';
  it('reads each real answer', () => {
    expect(parseLoginStatus('', warn + 'Not logged in\n', 1)).toEqual({ kind: 'not-logged-in' });
    expect(parseLoginStatus('', 'Logged in using ChatGPT\n', 0)).toEqual({ kind: 'chatgpt' });
    expect(parseLoginStatus('', 'API key configured - sk-proj-***23456\nAuthentication is checked when you send a request.\n', 0)).toEqual({
      kind: 'apikey',
      masked: 'sk-proj-***23456',
    });
    expect(
      parseLoginStatus(
        '',
        'Error checking login status: failed to deserialize CLI auth from file: key must be a string at line 1 column 2\n',
        1,
      ),
    ).toEqual({
      kind: 'unreadable',
      message: 'Error checking login status: failed to deserialize CLI auth from file: key must be a string at line 1 column 2',
    });
  });
  it('tolerates colour, CRLF and garbage', () => {
    expect(parseLoginStatus('', '\x1b[32mLogged in using ChatGPT\x1b[0m\r\n', 0)).toEqual({ kind: 'chatgpt' });
    expect(parseLoginStatus('', 'sh: codex: not found', 127)).toEqual({ kind: 'unknown', message: 'sh: codex: not found' });
    expect(parseLoginStatus('', '', null)).toEqual({ kind: 'unknown', message: 'codex exited with code null' });
  });
});
