import { promises as fs, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPodRuntime } from '../runtime/index';
import type { PodHandle, PodRuntime } from '../runtime/types';
import { CODEX_CLIENT_ID, startFakeIssuer, type FakeIssuer } from './index';

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function decodeJwt(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function post(url: string, body: unknown, form = false): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
}

describe('fake issuer protocol', () => {
  let issuer: FakeIssuer;
  beforeAll(async () => {
    issuer = await startFakeIssuer();
  });
  afterAll(() => issuer.close());

  it('answers pending with 403, unknown with 404, and hands out tokens after approval through the page', async () => {
    const created = await (await post(`${issuer.url}/api/accounts/deviceauth/usercode`, { client_id: CODEX_CLIENT_ID })).json();
    expect(created.user_code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{5}$/);
    expect(typeof created.interval).toBe('string');
    expect(issuer.pending()).toContain(created.user_code);
    expect((await (await fetch(`${issuer.url}/_test/pending`)).json()).pending).toContain(created.user_code);

    const poll = () =>
      post(`${issuer.url}/api/accounts/deviceauth/token`, { device_auth_id: created.device_auth_id, user_code: created.user_code });
    expect((await poll()).status).toBe(403);
    expect(
      (await post(`${issuer.url}/api/accounts/deviceauth/token`, { device_auth_id: 'nope', user_code: created.user_code })).status,
    ).toBe(404);

    const page = await (await fetch(`${issuer.url}/codex/device`)).text();
    expect(page).toContain('<form method="post" action="/codex/device">');
    const approved = await post(
      `${issuer.url}/codex/device`,
      { user_code: created.user_code.toLowerCase(), email: 'page@example.com', decision: 'approve' },
      true,
    );
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('Approved');
    expect(issuer.pending()).not.toContain(created.user_code);

    const grant = await poll();
    expect(grant.status).toBe(200);
    const { authorization_code, code_verifier } = await grant.json();
    expect((await poll()).status).toBe(400);

    const tokenForm = {
      grant_type: 'authorization_code',
      client_id: CODEX_CLIENT_ID,
      code: authorization_code,
      redirect_uri: `${issuer.url}/deviceauth/callback`,
    };
    expect((await post(`${issuer.url}/oauth/token`, { ...tokenForm, code_verifier: 'wrong' }, true)).status).toBe(400);
    const tokens = await (await post(`${issuer.url}/oauth/token`, { ...tokenForm, code_verifier }, true)).json();
    const idToken = decodeJwt(tokens.id_token);
    expect(idToken.email).toBe('page@example.com');
    expect(idToken['https://api.openai.com/auth']).toMatchObject({ chatgpt_plan_type: 'plus' });
    expect(idToken['https://api.openai.com/auth'].chatgpt_account_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeJwt(tokens.access_token).exp).toBeGreaterThan(Date.now() / 1000 + 86400);

    const refreshed = await post(`${issuer.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: CODEX_CLIENT_ID,
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt((await refreshed.json()).id_token).email).toBe('page@example.com');
  });

  it('refuses decisions on unknown codes', async () => {
    expect(issuer.approve('ZZZZ-ZZZZZ')).toBe(false);
    expect((await post(`${issuer.url}/_test/deny`, { user_code: 'ZZZZ-ZZZZZ' })).status).toBe(404);
  });
});

describe('device login with the real Codex CLI in a pod', () => {
  let dir: string;
  let issuer: FakeIssuer;
  let runtime: PodRuntime;
  let pods = 0;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'issuer-test-'));
    issuer = await startFakeIssuer({ pollIntervalSeconds: 1 });
    runtime = await createPodRuntime({ tmpDir: path.join(dir, 'rt'), issuerUrl: issuer.url });
  });
  afterAll(async () => {
    await runtime?.shutdown();
    await issuer?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function newPod(): Promise<{ pod: PodHandle; volume: string }> {
    const volume = path.join(dir, `vol-${++pods}`);
    await fs.mkdir(volume);
    const pod = await runtime.start({
      namespace: 'ns',
      name: `agent-${pods}`,
      volumeDir: volume,
      homeDir: '/home/node',
      containerName: 'openab',
      env: {},
    });
    return { pod, volume };
  }

  /** Starts `codex login --device-auth` and resolves the code it prints. */
  function startLogin(pod: PodHandle) {
    const proc = pod.exec(['codex', 'login', '--device-auth']);
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const code = new Promise<string>((resolve, reject) => {
      proc.stdout.on('data', (d) => {
        stdout += d;
        const match = /one-time code[^\n]*\n\s*([A-Z0-9]{4}-[A-Z0-9]{4,6})/.exec(stripAnsi(stdout));
        if (match) resolve(match[1]);
      });
      proc.done.then(() => reject(new Error(`codex exited before printing a code: ${stderr}`)));
    });
    const result = proc.done.then((r) => ({ ...r, stdout: stripAnsi(stdout), stderr }));
    return { code, result };
  }

  it('prints the code and link; approval writes a ChatGPT auth.json', async () => {
    const { pod, volume } = await newPod();
    const login = startLogin(pod);
    const code = await login.code;
    expect(issuer.pending()).toContain(code);
    const approve = await post(`${issuer.url}/_test/approve`, { user_code: code, email: 'ann@example.com' });
    expect(approve.status).toBe(200);
    const result = await login.result;
    expect(result.stdout).toContain(`${issuer.url}/codex/device`);
    expect(result.stderr).toContain('Successfully logged in');
    expect(result.exitCode).toBe(0);

    const authPath = path.join(volume, '.codex', 'auth.json');
    const auth = JSON.parse(await fs.readFile(authPath, 'utf8'));
    expect(auth.auth_mode).toBe('chatgpt');
    expect(decodeJwt(auth.tokens.id_token).email).toBe('ann@example.com');
    expect(auth.tokens.oauth_provenance.issuer).toBe(issuer.url);
    expect(statSync(authPath).mode & 0o777).toBe(0o600);

    const status = pod.exec(['codex', 'login', 'status']);
    let err = '';
    status.stderr.on('data', (d) => (err += d));
    status.stdout.resume();
    expect((await status.done).exitCode).toBe(0);
    expect(err).toContain('Logged in using ChatGPT');

    // Logging out revokes the token at the same stand-in issuer.
    const before = (await (await fetch(`${issuer.url}/_test/pending`)).json()).revocations;
    const logout = pod.exec(['codex', 'logout']);
    let logoutOut = '';
    logout.stdout.on('data', (d) => (logoutOut += d));
    logout.stderr.on('data', (d) => (logoutOut += d));
    expect((await logout.done).exitCode).toBe(0);
    expect(logoutOut).toContain('Successfully logged out');
    expect((await (await fetch(`${issuer.url}/_test/pending`)).json()).revocations).toBe(before + 1);
    await expect(fs.stat(authPath)).rejects.toThrow();
  });

  it('denial makes Codex exit 1 with its own message', async () => {
    const { pod, volume } = await newPod();
    const login = startLogin(pod);
    const code = await login.code;
    expect((await post(`${issuer.url}/_test/deny`, { user_code: code })).status).toBe(200);
    const result = await login.result;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('Error logging in: device auth failed with status 400 Bad Request\n');
    await expect(fs.stat(path.join(volume, '.codex', 'auth.json'))).rejects.toThrow();
  });

  it('an expired code makes Codex exit 1', async () => {
    const shortLived = await startFakeIssuer({ codeTtlMs: 1500, pollIntervalSeconds: 1 });
    const shortRuntime = await createPodRuntime({ tmpDir: path.join(dir, 'rt-short'), issuerUrl: shortLived.url });
    try {
      const volume = path.join(dir, 'vol-expiry');
      await fs.mkdir(volume);
      const pod = await shortRuntime.start({
        namespace: 'ns',
        name: 'agent-expiry',
        volumeDir: volume,
        homeDir: '/home/node',
        containerName: 'openab',
        env: {},
      });
      const login = startLogin(pod);
      const code = await login.code;
      const result = await login.result;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('Error logging in: device auth failed with status 410 Gone\n');
      expect(shortLived.approve(code)).toBe(false);
    } finally {
      await shortRuntime.shutdown();
      await shortLived.close();
    }
  });
});
