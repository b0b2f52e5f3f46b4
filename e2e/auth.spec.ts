import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { E2E } from './support/env';

test.describe('sign-in', () => {
  test('every page needs a session: the overview sends a stranger to sign-in', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2F/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });

  for (const role of ['viewer', 'support', 'operator', 'admin']) {
    test(`the ${role} demo user signs in and sees the role`, async ({ page }) => {
      await signIn(page, role);
      await expect(page.getByTestId('current-user')).toContainText(new RegExp(role, 'i'));
      await expect(page.getByRole('heading', { name: 'Codex fleet' })).toBeVisible();
    });
  }

  test('a wrong password is refused in plain words', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('User name').fill('operator');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveText('Wrong user name or password.');
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin/);
  });

  test('sign-out ends the session', async ({ page }) => {
    await signIn(page, 'viewer');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin/);
  });

  test('an expired or forged session cookie goes back to sign-in', async ({ page, context }) => {
    await context.addCookies([{ name: 'next-auth.session-token', value: 'forged.value.here', url: E2E.baseUrl }]);
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin/);
  });

  test('sign-in is usable with the keyboard alone', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('User name').focus();
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    await page.keyboard.type('e2e-demo-password');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('current-user')).toContainText('admin');
  });
});

test.describe('single sign-on (OpenID Connect)', () => {
  async function ssoLogin(page: import('@playwright/test').Page, account: string) {
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in with Test SSO' }).click();
    // oidc-provider's development login and consent forms.
    await page.locator('input[name="login"]').fill(account);
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
    if (await consent.isVisible({ timeout: 5_000 }).catch(() => false)) await consent.click();
  }

  test('a user in the operators group signs in as Operator', async ({ page }) => {
    await ssoLogin(page, 'alice');
    await expect(page.getByTestId('current-user')).toContainText('Alice Operator');
    await expect(page.getByTestId('current-user')).toContainText('Operator');
  });

  test('a user in the viewers group signs in as Viewer', async ({ page }) => {
    await ssoLogin(page, 'carol');
    await expect(page.getByTestId('current-user')).toContainText('Viewer');
  });

  test('a user whose groups map to no role is refused with the reason', async ({ page }) => {
    await ssoLogin(page, 'mallory');
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toContainText('no dashboard role is mapped');
  });
});

test.describe('hardening', () => {
  test('pages carry a nonce-based CSP, no framing, nosniff and a referrer policy', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto('/signin');
    const h = res!.headers();
    expect(h['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('same-origin');
    // The page still works under the policy: Next's scripts carry the nonce.
    await signIn(page, 'viewer');
    await expect(page.getByTestId('agent-card').first()).toBeVisible();
    expect(violations).toEqual([]);
  });

  test('the session cookie is HttpOnly and SameSite', async ({ page, context }) => {
    await signIn(page, 'viewer');
    const cookie = (await context.cookies()).find((c) => c.name.endsWith('next-auth.session-token'));
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
  });

  test('password guessing locks the name out', async ({ page }) => {
    const name = `guess-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      await page.goto('/signin');
      await page.getByLabel('User name').fill(name);
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveText('Wrong user name or password.');
    }
    await page.getByLabel('Password').fill('still-wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toContainText('Too many failed attempts');
  });

  test('a route handler refuses a cross-site request even with a session', async ({ page }) => {
    await signIn(page, 'admin');
    const res = await page.request.get('/api/fleet', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(res.status()).toBe(403);
    const forged = await page.request.get('/api/fleet', { headers: { Origin: 'https://evil.example' } });
    expect(forged.status()).toBe(403);
  });
});
