// Proves over HTTP, against the production build, that every route handler and server action
// refuses a request without a session and one from too low a role. The list comes from the
// build's own manifests, so a new entry point cannot be missed.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { signIn } from './support/session';

const root = path.resolve(__dirname, '..');
const ROLES = ['viewer', 'support', 'operator', 'admin'] as const;
type Role = (typeof ROLES)[number];

function routes(): Array<{ route: string; method: string; role: Role; url: string }> {
  const manifest = JSON.parse(
    readFileSync(path.join(root, process.env.NEXT_DIST_DIR || '.next', 'server/app-paths-manifest.json'), 'utf8'),
  ) as Record<string, string>;
  return (
    Object.keys(manifest)
      // Metadata routes (the icon) are static files, not handlers of ours.
      .filter((p) => p.endsWith('/route') && !p.startsWith('/api/auth/') && existsSync(path.join(root, 'app', p.slice(1) + '.ts')))
      .flatMap((p) => {
        const file = path.join(root, 'app', p.replace(/^\//, '') + '.ts');
        const text = readFileSync(file, 'utf8');
        const methods = [...text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE) = defineRoute\(\{[^}]*role: '(\w+)'/g)];
        expect(methods.length, `${file} exports guarded handlers`).toBeGreaterThan(0);
        // Fill dynamic segments with plausible values: the guard runs before any lookup.
        const url = p
          .replace(/\/route$/, '')
          .replace(/\[\.\.\.\w+\]|\[\w+\]/g, (seg) =>
            seg.includes('namespace') ? 'agents' : seg.includes('cluster') ? 'dashboard@devcluster' : 'openab-codex',
          );
        return methods.map(([, method, role]) => ({ route: p, method, role: role as Role, url }));
      })
  );
}

/** A page that uses the action: Next only runs an action posted to a page whose bundle holds it. */
function pageFor(workers: Record<string, unknown>): string {
  const page = Object.keys(workers).find((w) => w.endsWith('/page')) ?? 'app/page';
  return (
    (
      '/' +
      page
        .replace(/^app\/?/, '')
        .replace(/\/?page$/, '')
        .replace(/\[cluster\]/, encodeURIComponent('dashboard@devcluster'))
        .replace(/\[namespace\]/, 'agents')
        .replace(/\[name\]/, 'openab-codex')
        .replace(/\[\w+\]/g, 'x')
    ).replace(/\/$/, '') || '/'
  );
}

function actions(): Array<{ id: string; file: string; role: Role; page: string }> {
  const manifestPath = path.join(root, process.env.NEXT_DIST_DIR || '.next', 'server/server-reference-manifest.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    node: Record<string, { filename?: string; exportedName?: string; workers?: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node ?? {}).map(([id, info]) => {
    const file = path.join(root, String(info.filename ?? ''));
    const text = readFileSync(file, 'utf8');
    const m = new RegExp(`export const ${info.exportedName} = defineAction\\(\\s*\\{[^}]*role: '(\\w+)'`).exec(text);
    if (!m) throw new Error(`${info.exportedName} in ${file} is not built by defineAction`);
    return { id, file: path.relative(root, file), role: m[1] as Role, page: pageFor(info.workers ?? {}) };
  });
}

/**
 * Off the page first: an open overview polls, and a response already on its way when the cookies
 * are cleared would set the session cookie again (the next sign-in would land on the fleet as the
 * previous role).
 */
async function signOutCompletely(page: Page): Promise<void> {
  await page.goto('about:blank');
  await page.context().clearCookies();
}

test('every route handler refuses no session and too low a role', async ({ page, request }) => {
  const list = routes();
  expect(list.length).toBeGreaterThan(0);
  const matrix: string[] = [];
  for (const r of list) {
    const anon = await request.fetch(r.url, { method: r.method, maxRedirects: 0 });
    expect(anon.status(), `${r.method} ${r.route} without a session`).toBe(401);
    matrix.push(`${r.method} ${r.route} (needs ${r.role}): none=401`);
  }
  for (const role of ROLES) {
    await signOutCompletely(page);
    await signIn(page, role);
    for (const r of list) {
      const res = await page.request.fetch(r.url, { method: r.method, maxRedirects: 0 });
      const allowed = ROLES.indexOf(role) >= ROLES.indexOf(r.role);
      if (!allowed) expect(res.status(), `${r.method} ${r.route} as ${role}`).toBe(403);
      else expect([401, 403], `${r.method} ${r.route} as ${role}`).not.toContain(res.status());
      matrix.push(`${r.method} ${r.route} as ${role}: ${res.status()}`);
    }
  }
  console.log(matrix.join('\n'));
});

test('every server action refuses no session and too low a role', async ({ page, request }) => {
  const matrix: string[] = [];
  const list = actions();
  expect(list.length).toBeGreaterThan(0);
  for (const a of list) {
    const res = await request.post(a.page, {
      headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8' },
      data: '[{}]',
      maxRedirects: 0,
    });
    expect(await res.text(), `${a.file} ${a.id} without a session`).toContain('Sign in again');
  }
  for (const role of ROLES) {
    await signOutCompletely(page);
    await signIn(page, role);
    for (const a of list) {
      const res = await page.request.post(a.page, {
        headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8' },
        data: '[{}]',
      });
      const body = await res.text();
      matrix.push(
        `${a.file}#${a.id.slice(0, 8)} as ${role}: ${/Sign in again/.test(body) ? 'no session' : /This needs the \w+ role/.test(body) ? 'refused (role)' : 'allowed'}`,
      );
      if (ROLES.indexOf(role) < ROLES.indexOf(a.role))
        expect(body, `${a.file} as ${role}`).toMatch(/This needs the \w+ role; you are signed in as/);
      else {
        expect(body, `${a.file} as ${role}`).not.toContain('Sign in again');
        expect(body, `${a.file} as ${role}`).not.toMatch(/This needs the \w+ role/);
      }
    }
  }
  console.log(`${list.length} server actions checked\n${matrix.join('\n')}`);
});
