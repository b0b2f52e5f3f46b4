import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { E2E } from './env';

export async function signIn(page: Page, user: string, password = E2E.password) {
  await page.goto('/signin');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('current-user')).toContainText(user);
}

/**
 * One signed-in request context per role, made on first use and reused by a spec's tests
 * (signing in is slow); `clear` forgets them (call it in `test.afterAll`).
 */
export function signedInRequests() {
  const contexts = new Map<string, APIRequestContext>();
  return {
    async as(browser: Browser, role: string): Promise<APIRequestContext> {
      const known = contexts.get(role);
      if (known) return known;
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, role);
      await page.close();
      contexts.set(role, context.request);
      return context.request;
    },
    clear: () => contexts.clear(),
  };
}
