// Screenshots of every page for the README: starts the demo stack on the production build,
// signs in as admin and saves PNGs to docs/screenshots/. Pages are found in app/ (every
// page.tsx), dynamic segments filled with a demo agent, so new pages are picked up.
//   NEXT_DIST_DIR=<build dir> PORT=<port> npx tsx scripts/screenshots.ts
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { startStack } from './stack';

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'docs', 'screenshots');
const port = Number(process.env.PORT ?? 3000);
const password = 'screenshots-demo-password';
const CLUSTER = 'dashboard@devcluster';
const VIEWPORT = { width: 1280, height: 800 };

/** Route patterns of every page under app/, e.g. `/agents/[cluster]/[namespace]/[name]`. */
function pageRoutes(dir = path.join(root, 'app'), prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name.startsWith('_') || name === 'api') continue;
      // Route groups `(x)` add no segment.
      out.push(...pageRoutes(full, /^\(.*\)$/.test(name) ? prefix : `${prefix}/${name}`));
    } else if (name === 'page.tsx') {
      out.push(prefix || '/');
    }
  }
  return out;
}

/** A file name from a route: `/` -> overview, `/agents/[cluster]/[namespace]/[name]/images` -> agent-images. */
function shotName(route: string): string {
  if (route === '/') return 'overview';
  const words = route
    .split('/')
    .filter(Boolean)
    .filter((s) => !/^\[.*\]$/.test(s) || s === '[name]');
  return words
    .map((w) => (w === '[name]' ? '' : w))
    .filter(Boolean)
    .join('-')
    .replace(/^agents$/, 'agent')
    .replace(/^agents-/, 'agent-')
    .replace(/-images-sessions$/, '-conversation');
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 20_000 }).catch(() => {});
  // Client panels fetch after hydration (log, rollout); give them a moment, then freeze animations.
  await page.waitForTimeout(1_500);
}

async function signIn(page: Page, user: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('current-user').waitFor({ timeout: 30_000 });
}

/** One real action (a restart of another agent), so the audit page has something to show. */
async function restartThroughTheUi(page: Page, ref: { namespace: string; name: string }): Promise<void> {
  try {
    await page.goto(`/agents/${encodeURIComponent(CLUSTER)}/${ref.namespace}/${ref.name}`);
    await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Restart agent' }).click({ timeout: 15_000 });
    await page
      .getByRole('dialog', { name: `Restart ${ref.namespace}/${ref.name}?` })
      .getByRole('button', { name: 'Restart', exact: true })
      .click({ timeout: 15_000 });
    await page.getByRole('region', { name: 'Actions' }).getByTestId('rollout-progress').waitFor({ timeout: 15_000 });
  } catch (err) {
    console.warn(`no action recorded for the audit page: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function main() {
  const stateDir = path.join(root, '.devcluster', `screenshots-${port}`);
  const stack = await startStack({
    stateDir,
    port,
    demoPassword: password,
    verbose: Boolean(process.env.VERBOSE),
    env: { PROBE_CACHE_MS: '60000' },
  });
  let browser: Browser | null = null;
  const saved: string[] = [];
  try {
    const agents = stack.cluster.seed?.agents ?? [];
    // The richest agent for the agent pages: logged in, config loads, has images.
    const agent = agents.filter((a) => a.codex && !a.crashLooping && a.configLoads).sort((a, b) => b.images - a.images)[0];
    if (!agent) throw new Error('the demo seed has no healthy Codex agent');
    const fill = (route: string) =>
      route.replace('[cluster]', encodeURIComponent(CLUSTER)).replace('[namespace]', agent.namespace).replace('[name]', agent.name);
    const routes = pageRoutes();
    // A session is known only from the agent's images: the first image's "View conversation" link.
    const sessionRoute = async (page: Page): Promise<string> => {
      await page.goto(fill('/agents/[cluster]/[namespace]/[name]/images'));
      await page
        .getByRole('button', { name: /^Open .*\.png/ })
        .first()
        .click({ timeout: 20_000 });
      const href = await page.getByRole('dialog').getByRole('link', { name: 'View conversation' }).getAttribute('href');
      if (!href) throw new Error('the first image of the demo agent has no conversation link');
      return href;
    };
    const fillAtRuntime: Record<string, (page: Page) => Promise<string>> = {
      '/agents/[cluster]/[namespace]/[name]/images/sessions/[session]': sessionRoute,
    };
    const unfillable = routes.filter((r) => /\[/.test(fill(r)) && !fillAtRuntime[r]);
    if (unfillable.length) console.warn(`skipped (unknown route parameters): ${unfillable.join(', ')}`);

    mkdirSync(outDir, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-color-profile=srgb'],
    });
    type Shot = { route: string | ((page: Page) => Promise<string>); file: string; before?: (page: Page) => Promise<void> };
    const shoot = async (opts: BrowserContextOptions, suffix: string, shots: Shot[], user: string | null) => {
      const context = await browser!.newContext({ baseURL: stack.url, viewport: VIEWPORT, reducedMotion: 'reduce', ...opts });
      const page = await context.newPage();
      if (user) await signIn(page, user);
      for (const s of shots) {
        if (s.before) await s.before(page);
        const route = typeof s.route === 'string' ? s.route : await s.route(page);
        await page.goto(route);
        await settle(page);
        const file = path.join(outDir, `${s.file}${suffix}.png`);
        await page.screenshot({ path: file, animations: 'disabled' });
        saved.push(path.relative(root, file));
        console.log(`${route} -> ${path.relative(root, file)}`);
      }
      await context.close();
    };

    const other = agents.find((a) => a.codex && !a.crashLooping && a.configLoads && a.name !== agent.name);
    const signedIn: Shot[] = routes
      .filter((r) => r !== '/signin' && !unfillable.includes(r))
      .map((r) => ({ route: fillAtRuntime[r] ?? fill(r), file: shotName(r) }));
    const withAuditEntry = signedIn.map((s) =>
      s.route === '/audit' && other ? { ...s, before: (page: Page) => restartThroughTheUi(page, other) } : s,
    );
    // Every page in light, dark and narrow (a phone's 390 px).
    const modes: Array<{ suffix: string; opts: BrowserContextOptions }> = [
      { suffix: '', opts: {} },
      { suffix: '-dark', opts: { colorScheme: 'dark' } },
      { suffix: '-narrow', opts: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } },
    ];
    for (const [i, mode] of modes.entries()) {
      await shoot(mode.opts, mode.suffix, [{ route: '/signin', file: 'signin' }], null);
      await shoot(mode.opts, mode.suffix, i === 0 ? withAuditEntry : signedIn, 'admin');
    }
    console.log(`saved ${saved.length} screenshots`);
  } finally {
    await browser?.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
