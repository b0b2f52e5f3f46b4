// A stand-in for OpenAI's device-login issuer (auth.openai.com), enough for the
// real `codex login --device-auth --experimental_issuer URL` to finish or fail.
import { listenOnLoopback } from '../loopback';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

export interface FakeIssuerOptions {
  /** How long a user code stays valid (default 15 minutes, like OpenAI's). */
  codeTtlMs?: number;
  /** Seconds Codex waits between polls (sent as a string, like the real issuer). */
  pollIntervalSeconds?: number;
  /** Email put in the tokens when an approval names none. */
  defaultEmail?: string;
  /** Lifetime of issued access tokens (default 10 days). */
  accessTokenTtlSeconds?: number;
}

export interface FakeIssuer {
  url: string;
  close(): Promise<void>;
  /** Approves a pending code; false when it is unknown, expired or already decided. */
  approve(userCode: string, email?: string): boolean;
  deny(userCode: string): boolean;
  /** User codes waiting for a decision. */
  pending(): string[];
}

type DeviceState = 'pending' | 'approved' | 'denied' | 'consumed';

interface DeviceAuth {
  deviceAuthId: string;
  userCode: string;
  state: DeviceState;
  expiresAt: number;
  email?: string;
  authorizationCode?: string;
  codeVerifier?: string;
}

interface IssuedCode {
  email: string;
  codeVerifier: string;
  expiresAt: number;
}

const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function randomUserCode(): string {
  const pick = (n: number) => Array.from(randomBytes(n), (b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
  return `${pick(4)}-${pick(5)}`;
}

function normalizeUserCode(code: string): string {
  return code.trim().toUpperCase();
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON or form bodies, as browsers, Codex and curl send them. */
function parseFields(req: IncomingMessage, body: string): Record<string, string> {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(body || '{}');
      return Object.fromEntries(Object.entries(parsed ?? {}).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function devicePage(message = '', code = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Device login</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.75rem 0 .25rem}input{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}
button{font-size:1rem;padding:.5rem 1rem;margin:1rem .5rem 0 0}.msg{padding:.5rem;background:#eef}</style></head>
<body><h1>Sign in to Codex with ChatGPT</h1>
<p>Enter the one-time code shown by Codex. This is the dev cluster's stand-in for auth.openai.com.</p>
${message ? `<p class="msg" role="status">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/codex/device">
<label for="user_code">One-time code</label>
<input id="user_code" name="user_code" autocomplete="off" placeholder="ABCD-EFGHI" value="${escapeHtml(code)}" required>
<label for="email">Account email</label>
<input id="email" name="email" type="email" placeholder="you@example.com">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>`;
}

export async function startFakeIssuer(options: FakeIssuerOptions = {}): Promise<FakeIssuer> {
  const codeTtlMs = options.codeTtlMs ?? 15 * 60_000;
  const interval = String(options.pollIntervalSeconds ?? 1);
  const defaultEmail = options.defaultEmail ?? 'dev@example.com';
  const accessTtl = options.accessTokenTtlSeconds ?? 10 * 24 * 3600;
  const signingKey = randomBytes(32);
  const byDeviceId = new Map<string, DeviceAuth>();
  const byUserCode = new Map<string, DeviceAuth>();
  const issuedCodes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, string>();
  let revocations = 0;
  let url = '';

  const expired = (d: DeviceAuth) => Date.now() >= d.expiresAt;

  function decide(userCode: string, decision: 'approved' | 'denied', email?: string): boolean {
    const device = byUserCode.get(normalizeUserCode(userCode));
    if (!device || device.state !== 'pending' || expired(device)) return false;
    device.state = decision;
    if (decision === 'approved') {
      device.email = email?.trim() || defaultEmail;
      device.authorizationCode = `ac_${randomBytes(24).toString('base64url')}`;
      device.codeVerifier = randomBytes(32).toString('base64url');
      issuedCodes.set(device.authorizationCode, {
        email: device.email,
        codeVerifier: device.codeVerifier,
        expiresAt: Date.now() + 10 * 60_000,
      });
    }
    return true;
  }

  function jwt(payload: Record<string, unknown>): string {
    const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'devcluster' }));
    const body = base64url(JSON.stringify(payload));
    const signature = createHmac('sha256', signingKey).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  }

  function tokensFor(email: string) {
    const now = Math.floor(Date.now() / 1000);
    // Stable per email, so a second login lands in the same account.
    const accountId = uuidFrom(`account:${email}`);
    const userId = `user-${createHash('sha256').update(email).digest('base64url').slice(0, 24)}`;
    const auth = { chatgpt_plan_type: 'plus', chatgpt_account_id: accountId, chatgpt_user_id: userId, user_id: userId, organizations: [] };
    const profile = { email, email_verified: true };
    const idToken = jwt({
      iss: url,
      aud: [CODEX_CLIENT_ID],
      sub: `auth0|${userId}`,
      email,
      email_verified: true,
      'https://api.openai.com/auth': { ...auth, chatgpt_subscription_active_start: new Date(now * 1000).toISOString() },
      'https://api.openai.com/profile': profile,
      auth_time: now,
      iat: now,
      exp: now + 3600,
      jti: randomUUID(),
    });
    const accessToken = jwt({
      iss: url,
      aud: ['https://api.openai.com/v1'],
      client_id: CODEX_CLIENT_ID,
      sub: `auth0|${userId}`,
      scp: ['openid', 'profile', 'email', 'offline_access'],
      'https://api.openai.com/auth': auth,
      'https://api.openai.com/profile': profile,
      iat: now,
      nbf: now,
      exp: now + accessTtl,
      jti: randomUUID(),
    });
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    refreshTokens.set(refreshToken, email);
    return {
      id_token: idToken,
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: accessTtl,
      scope: 'openid profile email offline_access',
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://issuer');
    const method = req.method ?? 'GET';

    if (method === 'POST' && pathname === '/api/accounts/deviceauth/usercode') {
      const fields = parseFields(req, await readBody(req));
      if (fields.client_id !== CODEX_CLIENT_ID) {
        sendJson(res, 400, { error: { message: 'Unknown client_id', type: 'invalid_request_error', code: 'invalid_client' } });
        return;
      }
      let userCode = randomUserCode();
      while (byUserCode.has(userCode)) userCode = randomUserCode();
      const device: DeviceAuth = {
        deviceAuthId: `deviceauth_${randomBytes(16).toString('hex')}`,
        userCode,
        state: 'pending',
        expiresAt: Date.now() + codeTtlMs,
      };
      byDeviceId.set(device.deviceAuthId, device);
      byUserCode.set(userCode, device);
      sendJson(res, 200, {
        device_auth_id: device.deviceAuthId,
        user_code: userCode,
        interval,
        expires_at: new Date(device.expiresAt).toISOString(),
      });
      return;
    }

    if (method === 'POST' && pathname === '/api/accounts/deviceauth/token') {
      const fields = parseFields(req, await readBody(req));
      const device = byDeviceId.get(fields.device_auth_id ?? '');
      if (!device || device.userCode !== normalizeUserCode(fields.user_code ?? '')) {
        sendJson(res, 404, {
          error: { message: 'Device authorization not found.', type: 'invalid_request_error', code: 'deviceauth_not_found' },
        });
        return;
      }
      if (device.state === 'pending' && expired(device)) {
        sendJson(res, 410, {
          error: { message: 'This device code has expired.', type: 'invalid_request_error', code: 'deviceauth_expired' },
        });
        return;
      }
      if (device.state === 'pending') {
        sendJson(res, 403, {
          error: {
            message: 'Device authorization is pending. Please try again.',
            type: 'invalid_request_error',
            code: 'deviceauth_authorization_unknown',
          },
        });
        return;
      }
      if (device.state === 'denied') {
        sendJson(res, 400, {
          error: { message: 'The user denied this device authorization.', type: 'invalid_request_error', code: 'deviceauth_denied' },
        });
        return;
      }
      if (device.state === 'consumed') {
        sendJson(res, 400, {
          error: { message: 'This device authorization was already used.', type: 'invalid_request_error', code: 'deviceauth_consumed' },
        });
        return;
      }
      device.state = 'consumed';
      const challenge = createHash('sha256').update(device.codeVerifier!).digest('base64url');
      sendJson(res, 200, { authorization_code: device.authorizationCode, code_challenge: challenge, code_verifier: device.codeVerifier });
      return;
    }

    if (method === 'POST' && pathname === '/oauth/token') {
      const fields = parseFields(req, await readBody(req));
      if (fields.client_id !== CODEX_CLIENT_ID) {
        sendJson(res, 401, { error: 'invalid_client', error_description: 'Unknown client.' });
        return;
      }
      if (fields.grant_type === 'authorization_code') {
        const issued = issuedCodes.get(fields.code ?? '');
        if (
          !issued ||
          Date.now() >= issued.expiresAt ||
          issued.codeVerifier !== fields.code_verifier ||
          fields.redirect_uri !== `${url}/deviceauth/callback`
        ) {
          sendJson(res, 400, { error: 'invalid_grant', error_description: 'Invalid authorization code.' });
          return;
        }
        issuedCodes.delete(fields.code!);
        sendJson(res, 200, tokensFor(issued.email));
        return;
      }
      if (fields.grant_type === 'refresh_token') {
        const email = refreshTokens.get(fields.refresh_token ?? '');
        if (!email) {
          // Tokens this issuer never made (seeded logins) count as expired ones.
          sendJson(res, 401, {
            error: {
              message: 'Your refresh token has expired. Please log out and sign in again.',
              type: 'invalid_request_error',
              code: 'refresh_token_expired',
            },
          });
          return;
        }
        refreshTokens.delete(fields.refresh_token!);
        sendJson(res, 200, tokensFor(email));
        return;
      }
      sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${fields.grant_type ?? ''}` });
      return;
    }

    if (method === 'POST' && pathname === '/oauth/revoke') {
      const fields = parseFields(req, await readBody(req));
      refreshTokens.delete(fields.token ?? '');
      revocations++;
      sendJson(res, 200, {});
      return;
    }

    if (pathname === '/codex/device' && (method === 'GET' || method === 'POST')) {
      let message = '';
      let code = new URL(req.url ?? '/', 'http://issuer').searchParams.get('user_code') ?? '';
      if (method === 'POST') {
        const fields = parseFields(req, await readBody(req));
        code = fields.user_code ?? '';
        const decision = fields.decision === 'deny' ? 'denied' : 'approved';
        if (decide(code, decision, fields.email)) {
          message = decision === 'approved' ? 'Approved. You can return to Codex.' : 'Denied. Codex will not be signed in.';
          code = '';
        } else {
          message = 'Unknown or expired code.';
        }
      }
      const html = devicePage(message, code);
      res.writeHead(method === 'POST' && message === 'Unknown or expired code.' ? 400 : 200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
      });
      res.end(html);
      return;
    }

    if (method === 'POST' && (pathname === '/_test/approve' || pathname === '/_test/deny')) {
      const fields = parseFields(req, await readBody(req));
      const ok = decide(fields.user_code ?? '', pathname === '/_test/approve' ? 'approved' : 'denied', fields.email);
      sendJson(res, ok ? 200 : 404, { ok });
      return;
    }

    if (method === 'GET' && pathname === '/_test/pending') {
      sendJson(res, 200, { pending: pendingCodes(), revocations });
      return;
    }

    sendJson(res, 404, { error: { message: `No route for ${method} ${pathname}`, type: 'invalid_request_error' } });
  }

  function pendingCodes(): string[] {
    return [...byUserCode.values()].filter((d) => d.state === 'pending' && !expired(d)).map((d) => d.userCode);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err?.message ?? err) } });
      else res.destroy();
    });
  });
  const listening = await listenOnLoopback(server);
  url = listening.url;

  return {
    url,
    close: listening.close,
    approve: (userCode, email) => decide(userCode, 'approved', email),
    deny: (userCode) => decide(userCode, 'denied'),
    pending: pendingCodes,
  };
}

function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
