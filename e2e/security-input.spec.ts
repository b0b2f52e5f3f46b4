// Refusals of input the dashboard must not serve, over HTTP against the production build and
// the dev cluster (with the demo's set-based AGENT_SELECTOR), for every role:
// - a Deployment that is not a Codex agent (the seed's Kiro agent) through every agent page,
//   route and action: "not a Codex agent", never its log or files;
// - a malformed percent-escape in any page or route path: 400, not 500;
// - a server action posted from another site: 403, not 500;
// - a previous log of a container that never restarted: 400 with the API server's reason.
// Each refusal carries the dashboard's security headers and a plain reason.
import { expect, test, type APIResponse } from '@playwright/test';
import * as k8s from '@kubernetes/client-node';
import { signedInRequests } from './support/session';
import { e2eState } from './support/env';
import { seededAgents } from './support/seed-truth';
import { actionEntries, fillTemplate, pageTemplates, ROLES, routeEntries } from './support/trust';
import { adminKube } from './support/cluster-admin';

type Agent = { namespace: string; name: string };

/** Pods of a Deployment by name (`<deployment>-<hash>-<suffix>`; openab-codex is not openab-codex-2). */
const podOf = (deployment: string) => (p: k8s.V1Pod) => new RegExp(`^${deployment}-[a-z0-9]+-[a-z0-9]{5}$`).test(p.metadata?.name ?? '');

const signedIn = signedInRequests();
const as = signedIn.as;
test.afterAll(() => signedIn.clear());

async function kiroAgent(): Promise<Agent & { pod: string }> {
  const kiro = (await seededAgents()).find((a) => !a.codex);
  if (!kiro) throw new Error('the seed has no agent that is not Codex');
  const core = adminKube().makeApiClient(k8s.CoreV1Api);
  const pods = (await core.listNamespacedPod({ namespace: kiro.namespace })).items.filter(podOf(kiro.name));
  expect(pods.length, `pods of ${kiro.name}`).toBeGreaterThan(0);
  return { namespace: kiro.namespace, name: kiro.name, pod: pods[0].metadata!.name! };
}

/** The headers next.config.ts and proxy.ts put on every answer. */
function expectSecurityHeaders(res: APIResponse, what: string) {
  const h = res.headers();
  expect(h['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  expect(h['x-content-type-options'], `${what}: X-Content-Type-Options`).toBe('nosniff');
  expect(h['referrer-policy'], `${what}: Referrer-Policy`).toBe('same-origin');
  expect(h['cross-origin-opener-policy'], `${what}: Cross-Origin-Opener-Policy`).toBe('same-origin');
}

/** Query strings that make each route do its real work on the agent (not just refuse). */
function queryFor(route: string, pod: string): string {
  if (route.endsWith('/log/route')) return `?pod=${encodeURIComponent(pod)}&tail=20`;
  if (route.includes('/api/images/')) return '?path=nosuchsession%2Fnosuch.png';
  return '';
}

test('the agent selector in use is set-based, as the demo sets it', () => {
  expect(e2eState().cluster.seed?.codexSelector).toMatch(/ in \(/);
});

test('the log route refuses the log of a Deployment that is not a Codex agent, for every role', async ({ browser, request }) => {
  const kiro = await kiroAgent();
  const url = fillTemplate('/api/agents/[cluster]/[namespace]/[name]/log', kiro) + `?pod=${encodeURIComponent(kiro.pod)}&tail=50`;
  const rows: string[] = [];
  for (const role of ['none', ...ROLES] as const) {
    const ctx = role === 'none' ? request : await as(browser, role);
    for (const follow of ['0', '1']) {
      const res = await ctx.get(`${url}&follow=${follow}`, { maxRedirects: 0 });
      const body = await res.text();
      rows.push(`${role} follow=${follow}: ${res.status()}`);
      expect(body, `${role}: the Kiro agent's log`).not.toMatch(/kiro-cli|openab::agent|INFO openab/);
      if (role === 'none') expect(res.status()).toBe(401);
      else if (role === 'viewer') expect(res.status()).toBe(403);
      else {
        expect(res.status(), `${role} follow=${follow}: ${body}`).toBe(404);
        expect(JSON.parse(body).error).toMatch(/is not a Codex agent/);
      }
    }
  }
  console.log(rows.join('\n'));
});

test('every agent page, route and action refuses a Deployment that is not a Codex agent', async ({ browser }) => {
  const kiro = await kiroAgent();
  const admin = await as(browser, 'admin');
  for (const r of routeEntries().filter((e) => e.template.includes('[name]'))) {
    const res = await admin.fetch(fillTemplate(r.template, kiro) + queryFor(r.route, kiro.pod), { method: r.method, maxRedirects: 0 });
    const body = await res.text();
    expect(res.status(), `${r.method} ${r.template}: ${body}`).toBe(404);
    expect(body, r.template).toMatch(/not a Codex agent/);
  }
  for (const p of pageTemplates().filter((t) => t.includes('[name]'))) {
    const res = await admin.get(fillTemplate(p, kiro), { maxRedirects: 0 });
    const html = await res.text();
    expect(html, `page ${p}`).toMatch(/not a Codex agent/);
    // The agent page itself answers as what it is: a 404 (its not-found page says why).
    if (p === '/agents/[cluster]/[namespace]/[name]') expect(res.status(), `page ${p}`).toBe(404);
    expect(html, `page ${p}`).not.toContain('data-testid="pod-detail"');
    expect(html, `page ${p}`).not.toContain(kiro.pod);
  }
  // Every action that takes nothing but the agent, as the highest role.
  const ref = { clusterId: 'dashboard@devcluster', namespace: kiro.namespace, name: kiro.name };
  const agentOnly = actionEntries((t) => fillTemplate(t, kiro)).filter((a) => a.name === 'restartAgentAction');
  expect(agentOnly.length).toBe(1);
  for (const a of agentOnly) {
    const body = await (
      await admin.post(a.page, {
        headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8' },
        data: JSON.stringify([ref]),
      })
    ).text();
    expect(body, a.name).toMatch(/not a Codex agent/);
  }
});

test('a malformed percent-escape in any page or route path is a 400 with a plain reason, for every role', async ({ browser, request }) => {
  const [agent] = (await seededAgents()).filter((a) => a.codex && !a.crashLooping);
  const templates = [
    ...pageTemplates().filter((p) => p.includes('[cluster]')),
    ...routeEntries()
      .filter((r) => r.template.includes('[cluster]'))
      .map((r) => r.template),
  ];
  const paths = templates.flatMap((t) => [
    fillTemplate(t, agent).replace(/^(\/(?:api\/)?\w+\/)[^/]+/, '$1%ZZ'),
    fillTemplate(t, agent).replace(`/${agent.namespace}/`, '/%E0%A4%A/'),
  ]);
  expect(paths).toContain(`/agents/%ZZ/${agent.namespace}/${agent.name}`);
  expect(paths.some((p) => p.startsWith('/api/images/%ZZ/'))).toBe(true);
  for (const role of ['none', ...ROLES] as const) {
    const ctx = role === 'none' ? request : await as(browser, role);
    for (const p of paths) {
      const res = await ctx.get(p, { maxRedirects: 0 });
      const body = await res.text();
      expect(res.status(), `${role} ${p}: ${body.slice(0, 200)}`).toBe(400);
      expect(body, p).toMatch(/malformed percent-escape/);
      expectSecurityHeaders(res, p);
    }
  }
});

test('a server action posted from another site is a 403 with a plain reason, for every action', async ({ browser }) => {
  const [agent] = (await seededAgents()).filter((a) => a.codex && !a.crashLooping);
  const actions = actionEntries((t) => fillTemplate(t, agent));
  expect(actions.length).toBeGreaterThan(0);
  for (const role of ROLES) {
    const ctx = await as(browser, role);
    for (const a of actions) {
      for (const origin of ['https://evil.example', 'null']) {
        const res = await ctx.post(a.page, {
          headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8', Origin: origin },
          data: JSON.stringify([{ clusterId: 'dashboard@devcluster', namespace: agent.namespace, name: agent.name }]),
          maxRedirects: 0,
        });
        const body = await res.text();
        expect(res.status(), `${a.name} as ${role} from ${origin}: ${body.slice(0, 200)}`).toBe(403);
        expect(JSON.parse(body).error, a.name).toMatch(/another site|unknown origin/);
        expectSecurityHeaders(res, a.name);
      }
    }
  }
});

test('the previous log of a container that never restarted is a 400 with the reason, not a timeout', async ({ browser }) => {
  const agents = (await seededAgents()).filter((a) => a.codex && !a.crashLooping);
  const core = adminKube().makeApiClient(k8s.CoreV1Api);
  let target: { agent: Agent; pod: string } | null = null;
  for (const a of agents) {
    const pods = (await core.listNamespacedPod({ namespace: a.namespace })).items.filter(
      (p) =>
        podOf(a.name)(p) &&
        p.status?.phase === 'Running' &&
        !p.metadata?.deletionTimestamp &&
        p.status?.containerStatuses?.every((c) => (c.restartCount ?? 0) === 0),
    );
    if (pods[0]) {
      target = { agent: a, pod: pods[0].metadata!.name! };
      break;
    }
  }
  expect(target, 'a Codex agent whose container never restarted').not.toBeNull();
  const support = await as(browser, 'support');
  const res = await support.get(
    fillTemplate('/api/agents/[cluster]/[namespace]/[name]/log', target!.agent) + `?pod=${encodeURIComponent(target!.pod)}&previous=1`,
  );
  const body = await res.text();
  expect(res.status(), body).toBe(400);
  const error: string = JSON.parse(body).error;
  expect(error).toMatch(/has no log of a previous "openab" container/);
  expect(error).not.toMatch(/in time|timeout/i);
  expectSecurityHeaders(res, 'previous log');
});
