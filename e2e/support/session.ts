import { expect, type Page } from '@playwright/test';
import { E2E } from './env';

export async function signIn(page: Page, user: string, password = E2E.password) {
  await page.goto('/signin');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('current-user')).toContainText(user);
}
