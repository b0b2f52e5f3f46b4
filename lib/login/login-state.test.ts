import { describe, expect, it } from 'vitest';
import { explainLostLogin, interpretLogin, NO_LOGIN, splitReadOutput } from './login-state';
import { parseFrames } from '../pod/frames';
import { selectorMatches } from '../k8s/label-selector';

const N = 'abcdef0123456789';
const ESC = '\x1b';
const CODEX_OUT = [
  `${ESC}[1mWelcome to Codex${ESC}[0m [v0.169.0]`,
  `${ESC}[2mOpenAI's command-line coding agent${ESC}[0m`,
  '',
  'Follow these steps to sign in with ChatGPT using device code authorization:',
  '',
  '1. Open this link in your browser and sign in to your account',
  `   ${ESC}[94mhttps://auth.openai.com/codex/device${ESC}[0m`,
  '',
  `2. Enter this one-time code ${ESC}[90m(expires in 15 minutes)${ESC}[0m`,
  `   ${ESC}[94mABCD-EFGHI${ESC}[0m`,
  '',
  'Continue only if you started this login in Codex. If a website or another person gave you this code, cancel.',
].join('\n');

/** login-read's frames: each marker after a newline, as `m` prints them. */
const m = (head: string) => `\n@@${N}@@ ${head}\n`;
function read(fields: Record<string, string>, out = '', err = ''): string {
  return (
    Object.entries(fields)
      .map(([k, v]) => m(`${k} ${v}`))
      .join('') +
    m('section out') +
    out +
    m('section err') +
    err +
    m('end')
  );
}
const splitRead = (output: string, nonce: string) => splitReadOutput(parseFrames(output, nonce));

const base = {
  now: '1000600',
  id: 'a1b2c3d4e5f60718',
  started: '1000000',
  pod: 'pod-uid-1',
  by: '{"name":"ops","email":"ops@example.com","role":"operator"}',
  pid: '42',
};

describe('reading the login files', () => {
  it('says there is no login', () => {
    expect(interpretLogin(splitRead(m('none'), N))).toEqual(NO_LOGIN);
  });

  it('ignores lines without the nonce and reports an incomplete read', () => {
    const r = splitRead(`junk${m('id x')}`, N);
    expect(r.complete).toBe(false);
    expect(r.fields.id).toBe('x');
  });

  it('reads a waiting login: link, code, and the time left from the pod clock', () => {
    const s = interpretLogin(splitRead(read({ ...base, alive: '1' }, CODEX_OUT), N));
    expect(s).toMatchObject({
      phase: 'waiting',
      loginId: base.id,
      podUid: 'pod-uid-1',
      verificationUrl: 'https://auth.openai.com/codex/device',
      userCode: 'ABCD-EFGHI',
      expiresInMinutes: 15,
      secondsLeft: 15 * 60 - 600,
      startedAt: new Date(1_000_000_000).toISOString(),
      expiresAt: new Date((1_000_000 + 900) * 1000).toISOString(),
      startedBy: { name: 'ops', email: 'ops@example.com', role: 'operator' },
      failure: null,
    });
  });

  it('withholds a sign-in link that is not on the login server, and its code, and says why', () => {
    const foreign = [
      'https://auth.openai.com.evil.example/codex/device',
      'https://evil.example/codex/device',
      'http://auth.openai.com/codex/device',
      'https://auth.openai.com:8443/codex/device',
      'https://ops@auth.openai.com/codex/device',
    ];
    for (const link of foreign) {
      const s = interpretLogin(
        splitRead(read({ ...base, alive: '1' }, CODEX_OUT.replace('https://auth.openai.com/codex/device', link)), N),
      );
      expect(s.verificationUrl, link).toBeNull();
      expect(s.userCode, link).toBeNull();
      expect(s.linkRefused, link).toMatch(/not on the login server auth\.openai\.com/);
      expect(JSON.stringify(s), link).not.toContain('evil');
      expect(JSON.stringify(s), link).not.toContain('ABCD-EFGHI');
    }
    // The login server the operator configured (CODEX_LOGIN_ISSUER): its links only.
    const local = CODEX_OUT.replace('https://auth.openai.com/codex/device', 'http://127.0.0.1:18999/codex/device');
    expect(interpretLogin(splitRead(read({ ...base, alive: '1' }, local), N), 'http://127.0.0.1:18999')).toMatchObject({
      verificationUrl: 'http://127.0.0.1:18999/codex/device',
      userCode: 'ABCD-EFGHI',
      linkRefused: null,
    });
    expect(interpretLogin(splitRead(read({ ...base, alive: '1' }, CODEX_OUT), N), 'http://127.0.0.1:18999').linkRefused).toMatch(
      /127\.0\.0\.1:18999/,
    );
  });

  it('is starting while Codex has printed nothing yet', () => {
    expect(interpretLogin(splitRead(read({ ...base, now: '1000002', alive: '1' }), N)).phase).toBe('starting');
    // Launched a moment ago, runner pid not written yet.
    const { pid: _pid, ...noPid } = base;
    expect(interpretLogin(splitRead(read({ ...noPid, now: '1000002', alive: '0' }), N)).phase).toBe('starting');
  });

  it('succeeds on exit 0 and Codex success line', () => {
    const s = interpretLogin(splitRead(read({ ...base, alive: '0', exit: '0' }, CODEX_OUT, 'Successfully logged in\n'), N));
    expect(s.phase).toBe('succeeded');
    expect(s.secondsLeft).toBeNull();
  });

  it.each([
    ['Error logging in: device auth failed with status 400 Bad Request', '1', 'denied-or-bad-request', /refused the code/],
    [
      'Error logging in: error sending request for url (https://auth.openai.com/api/accounts/deviceauth/usercode)',
      '1',
      'no-network',
      /could not reach the login server/,
    ],
    [
      'Error logging in: device code login is not enabled for this Codex server. Use the browser login.',
      '1',
      'device-login-disabled',
      /not enabled/,
    ],
    ['device auth timed out after 15 minutes', '1', 'expired', /expired/],
    ['', '124', 'expired', /expired/],
    ['codex: command not found', '127', 'codex-missing', /not installed/],
    ['Error logging in: device auth failed with status 410 Gone', '1', 'expired', /expired/],
  ])('names the failure %#: %s', (err, exit, kind, text) => {
    const s = interpretLogin(splitRead(read({ ...base, alive: '0', exit }, err ? CODEX_OUT : '', `${ESC}[31m${err}${ESC}[0m\n`), N));
    expect(s.phase).toBe('failed');
    expect(s.failure?.kind).toBe(kind);
    expect(s.failure?.text).toMatch(text);
    // Codex's words, with anything that is not (a URL here) hidden.
    if (err) expect(s.failure?.message).toBe(err.replace(/\(https:[^)]*\)/, '(hidden)'));
  });

  it('a code refused after its expiry is called expired', () => {
    const s = interpretLogin(
      splitRead(
        read(
          { ...base, now: '1000901', alive: '0', exit: '1' },
          CODEX_OUT,
          'Error logging in: device auth failed with status 400 Bad Request',
        ),
        N,
      ),
    );
    expect(s.failure?.kind).toBe('expired');
  });

  it('a process that died without a result is named, not left waiting', () => {
    const s = interpretLogin(splitRead(read({ ...base, alive: '0' }, CODEX_OUT), N));
    expect(s.phase).toBe('failed');
    expect(s.failure?.kind).toBe('vanished');
  });

  it('a cancelled login is "cancelling" while any of its processes is left in the pod', () => {
    expect(interpretLogin(splitRead(read({ ...base, alive: '0', cancelled: '1000500', procs: '2' }, CODEX_OUT), N)).phase).toBe(
      'cancelling',
    );
    expect(interpretLogin(splitRead(read({ ...base, alive: '0', cancelled: '1000500', procs: '0' }, CODEX_OUT), N)).phase).toBe(
      'cancelled',
    );
  });

  it('cancelled wins over the exit the kill caused, but not over a success', () => {
    expect(interpretLogin(splitRead(read({ ...base, alive: '0', exit: '143', cancelled: '1000500' }, CODEX_OUT), N)).phase).toBe(
      'cancelled',
    );
    expect(
      interpretLogin(splitRead(read({ ...base, alive: '0', exit: '0', cancelled: '1000500' }, CODEX_OUT, 'Successfully logged in'), N))
        .phase,
    ).toBe('succeeded');
  });

  it('keeps hostile field values out', () => {
    const s = interpretLogin(
      splitRead(
        read(
          { ...base, id: '../../etc', pod: 'a b', by: '{"name":5}', started: 'soon', alive: '1' },
          CODEX_OUT.replace('https://auth.openai.com/codex/device', 'javascript:alert(1)'),
        ),
        N,
      ),
    );
    expect(s.loginId).toBeNull();
    expect(s.podUid).toBeNull();
    expect(s.startedBy).toBeNull();
    expect(s.startedAt).toBeNull();
    expect(s.secondsLeft).toBeNull();
    expect(s.verificationUrl).toBeNull();
  });

  it('records the claims', () => {
    const s = interpretLogin(
      splitRead(read({ ...base, alive: '0', exit: '0', recorded: 'x', restart: 'by ops' }, CODEX_OUT, 'Successfully logged in'), N),
    );
    expect(s.recorded).toBe(true);
    expect(s.restart).toBe('by ops');
  });
});

describe('a follower whose login is gone', () => {
  const followed = { loginId: 'a1b2c3d4e5f60718', podUid: 'old' };
  it('says the pod restarted when the pod uid changed', () => {
    expect(explainLostLogin(followed, { snapshot: NO_LOGIN, podUid: 'new' })?.failure?.kind).toBe('pod-restarted');
  });
  it('says the files are gone when the same pod lost them', () => {
    expect(explainLostLogin(followed, { snapshot: NO_LOGIN, podUid: 'old' })?.failure?.kind).toBe('files-gone');
  });
  it('shows a newer login as it is', () => {
    expect(
      explainLostLogin(followed, { snapshot: { ...NO_LOGIN, phase: 'waiting', loginId: 'ffff0000ffff0000' }, podUid: 'new' }),
    ).toBeNull();
  });
});

describe('label selectors', () => {
  const labels = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/component': 'codex', tier: 'a' };
  it.each([
    ['app.kubernetes.io/name=openab,app.kubernetes.io/component=codex', true],
    ['app.kubernetes.io/name==openab', true],
    ['app.kubernetes.io/component=kiro', false],
    ['tier!=b', true],
    ['tier in (a, b),app.kubernetes.io/name', true],
    ['tier notin (a)', false],
    ['!missing', true],
    ['missing', false],
  ])('%s', (selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});
