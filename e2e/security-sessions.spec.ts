// Sessions and sign-in under attack, in real Chromium and over HTTP against production builds:
// the callback after sign-in stays on the dashboard, sign-out and an admin's "end sessions"
// end a session on every replica, a role taken away counts at once, a session has an absolute
// lifetime, and a malformed sign-in body gets a 4xx. The replicas are extra `next start`
// processes of the same build, on the same dev cluster, sharing one session secret.
import { expect, test, type Page } from '@playwright/test';
import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signIn } from './support/session';
import { E2E } from './support/env';
import { startReplica } from './support/replica';

const root = path.resolve(__dirname, '..');

/** A LOCAL_USERS hash (scripts/hash-password.ts makes the same). */
function hash(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

/** An HTTP client with its own cookie jar, signing in through next-auth's credentials flow. */
class Client {
  cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.header() },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (value && !/expires=Thu, 01 Jan 1970/i.test(c) && !/max-age=0/i.test(c)) this.cookies.set(pair.slice(0, i).trim(), value);
      else this.cookies.delete(pair.slice(0, i).trim());
    }
    return res;
  }

  private async csrf(base: string): Promise<string> {
    return ((await (await this.fetch(`${base}/api/auth/csrf`)).json()) as { csrfToken: string }).csrfToken;
  }

  async signIn(base: string, username: string, password: string): Promise<void> {
    const csrfToken = await this.csrf(base);
    const body = new URLSearchParams({ csrfToken, username, password, callbackUrl: `${base}/`, json: 'true' });
    const res = await this.fetch(`${base}/api/auth/callback/local`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await res.arrayBuffer();
    expect(
      [...this.cookies.keys()].some((k) => k.endsWith('session-token')),
      `${username} signed in on ${base}`,
    ).toBe(true);
  }

  async signOut(base: string): Promise<void> {
    const csrfToken = await this.csrf(base);
    const res = await this.fetch(`${base}/api/auth/signout`, {
      method: 'POST',
      body: new URLSearchParams({ csrfToken, json: 'true' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await res.arrayBuffer();
  }

  /** A copy holding the same cookies: what a thief of the cookie would hold. */
  copy(): Client {
    const c = new Client();
    c.cookies = new Map(this.cookies);
    return c;
  }
}

async function status(client: Client, url: string): Promise<number> {
  const res = await client.fetch(url);
  await res.arrayBuffer();
  return res.status;
}

async function sessionRole(client: Client, base: string): Promise<string | null> {
  const s = (await (await client.fetch(`${base}/api/auth/session`)).json()) as { user?: { role?: string } };
  return s.user?.role ?? null;
}

test('the callback after sign-in cannot leave the dashboard (tab and newline tricks)', async ({ browser }) => {
  test.setTimeout(180_000);
  // Browsers drop tabs and newlines from URLs: `/\t/host` becomes `//host`, another site.
  const elsewhere = `127.0.0.1:${E2E.oidcPort}/landed`;
  const signInVia = async (callbackUrl: string) => {
    // A fresh browser each time: the signed-in page of the last round keeps refreshing its cookie.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`/signin?callbackUrl=${callbackUrl}`);
    await page.getByLabel('User name').fill('viewer');
    await page.getByLabel('Password').fill(E2E.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('current-user'), callbackUrl).toContainText('viewer');
    const landed = page.url();
    await context.close();
    return landed;
  };
  for (const trick of [`/%09/${elsewhere}`, `/%0A/${elsewhere}`, `//${elsewhere}`, `/%5C${elsewhere}`]) {
    expect(new URL(await signInVia(trick)).origin, trick).toBe(E2E.baseUrl);
  }
  // A callback on the dashboard itself is still honoured.
  expect(await signInVia(encodeURIComponent('/?from=signin'))).toBe(`${E2E.baseUrl}/?from=signin`);
});

test('after sign-out the old session cookie reads nothing', async ({ page, context, playwright }) => {
  await signIn(page, 'viewer');
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const thief = await playwright.request.newContext({ baseURL: E2E.baseUrl, extraHTTPHeaders: { cookie } });
  expect((await thief.get('/api/fleet')).status()).toBe(200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  const after = await thief.get('/api/fleet');
  expect(after.status()).toBe(401);
  expect((await thief.get('/api/auth/session')).ok()).toBe(true);
  expect(((await (await thief.get('/api/auth/session')).json()) as { user?: unknown }).user).toBeUndefined();
  await thief.dispose();
});

test('sign-out on one replica ends the session on the other', async () => {
  const password = 'replica-password';
  const env = { LOCAL_USERS: `rita:operator:${hash(password)}` };
  const [a, b] = await Promise.all([startReplica(E2E.port + 1, env), startReplica(E2E.port + 2, env)]);
  try {
    const rita = new Client();
    await rita.signIn(a.url, 'rita', password);
    const stolen = rita.copy();
    expect(await status(stolen, `${b.url}/api/fleet`)).toBe(200);
    await rita.signOut(a.url);
    // The other replica reads the shared session list through a short cache (2 s by default).
    await expect.poll(() => status(stolen.copy(), `${b.url}/api/fleet`), { timeout: 10_000 }).toBe(401);
    expect(await status(stolen.copy(), `${a.url}/api/fleet`)).toBe(401);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a role taken away in LOCAL_USERS counts at once for a session already signed in', async () => {
  const password = 'dora-password';
  const hashed = hash(password);
  const port = E2E.port + 3;
  let replica = await startReplica(port, { LOCAL_USERS: `dora:admin:${hashed}` });
  const dora = new Client();
  try {
    await dora.signIn(replica.url, 'dora', password);
    expect(await sessionRole(dora, replica.url)).toBe('admin');
    expect(await status(dora, `${replica.url}/api/audit/export?format=json`)).toBe(200);
    // The operator edits LOCAL_USERS and the dashboard restarts: the cookie is still the same.
    await replica.stop();
    replica = await startReplica(port, { LOCAL_USERS: `dora:viewer:${hashed}` });
    expect(await sessionRole(dora, replica.url)).toBe('viewer');
    expect(await status(dora, `${replica.url}/api/audit/export?format=json`)).toBe(403);
    expect(await status(dora, `${replica.url}/api/fleet`)).toBe(200);
    // Removed altogether: no session at all.
    await replica.stop();
    replica = await startReplica(port, { LOCAL_USERS: `someone-else:viewer:${hashed}` });
    expect(await status(dora, `${replica.url}/api/fleet`)).toBe(401);
  } finally {
    await replica.stop();
  }
});

test('reloading /api/auth/session does not extend a session past its absolute lifetime', async () => {
  const password = 'short-password';
  const replica = await startReplica(E2E.port + 4, { LOCAL_USERS: `sam:viewer:${hash(password)}`, SESSION_MAX_AGE_SECONDS: '4' });
  try {
    const sam = new Client();
    await sam.signIn(replica.url, 'sam', password);
    const started = Date.now();
    expect(await sessionRole(sam, replica.url)).toBe('viewer');
    // The overview asks for the session again and again; each answer re-issues the cookie.
    await expect.poll(() => sessionRole(sam, replica.url), { timeout: 20_000, intervals: [500] }).toBeNull();
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(await status(sam, `${replica.url}/api/fleet`)).toBe(401);
  } finally {
    await replica.stop();
  }
});

async function endSessionsOf(page: Page, user: string) {
  const row = page.getByRole('row', { name: new RegExp(`\\b${user}\\b`) });
  await expect(async () => {
    await page.reload();
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  // Keyboard alone: focus the button, Enter opens the dialog (focus on Cancel), Tab, Enter.
  await row.getByRole('button', { name: `End all sessions of ${user}` }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `End all sessions of ${user}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(row.getByRole('status')).toContainText(`Every session of ${user} signed in until now has ended.`);
}

test('an admin ends every session of a user, with a confirmation, recorded in the audit', async ({ browser }) => {
  const viewerContext = await browser.newContext();
  const viewerPage = await viewerContext.newPage();
  await signIn(viewerPage, 'support');
  expect((await viewerContext.request.get('/api/fleet')).status()).toBe(200);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, 'admin');
  // Reached from the main navigation, which shows it to admins only.
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
  await expect(admin.getByRole('heading', { name: 'Sessions' })).toBeVisible();
  await endSessionsOf(admin, 'support');
  expect((await viewerContext.request.get('/api/fleet')).status()).toBe(401);
  // A new sign-in is a new session.
  await signIn(viewerPage, 'support');
  expect((await viewerContext.request.get('/api/fleet')).status()).toBe(200);

  const log = readFileSync(path.join(root, `.devcluster/e2e-${E2E.port}/dashboard.log`), 'utf8');
  expect(log).toMatch(/"msg":"audit".*"action":"end-sessions".*"after":"local:support"/);
  await Promise.all([viewerContext.close(), adminContext.close()]);
});

test('only admins reach the sessions page and its action', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'operator');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' })).toHaveCount(0);
  await page.goto('/admin/sessions');
  await expect(page).toHaveURL(/\/\?refused=sessions$/);
  await context.close();
});

test('a malformed sign-in body gets a 400 with the reason and the security headers', async ({ request }) => {
  for (const [body, type] of [
    ['{"username":', 'application/json'],
    ['[1,2]', 'application/json'],
    ['username=%ZZ&password=x', 'application/x-www-form-urlencoded'],
  ]) {
    const res = await request.post('/api/auth/callback/local', { data: body, headers: { 'Content-Type': type }, maxRedirects: 0 });
    expect(res.status(), body).toBe(400);
    expect(((await res.json()) as { error: string }).error, body).toMatch(/^The (request|form) body/);
    const h = res.headers();
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['referrer-policy']).toBe('same-origin');
  }
});
