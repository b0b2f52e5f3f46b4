// No line of config.toml leaves the pod through Codex's error messages. Two agents of the dev
// cluster get a config.toml the REAL Codex refuses, each with a planted secret that Codex
// quotes when it refuses the file: once in its source snippet (an unquoted token, as a hand
// edit of an MCP server's env leaves it), once inside the message line itself (an unknown
// variant). Every page and GET route, as every role, the feature action's answer and the
// dashboard's own log are then searched for the secrets, while Codex's reason (line, column,
// what it expected) still shows.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { expect, test } from '@playwright/test';
import { chartDeployment } from '../devcluster/testing/chart-deployment';
import { signedInRequests } from './support/session';
import { actionEntries, CLUSTER_ID, dashboardLogPath, fillTemplate, pageTemplates, ROLES, routeEntries } from './support/trust';
import { adminKube, execAsAdmin, runningPod } from './support/cluster-admin';

const NS = 'agents';
const tag = randomBytes(4).toString('hex');
// Shaped like what an operator would hide in there: a GitHub token, a key.
const SNIPPET_SECRET = `ghp_SNIPPET${tag}x9Q2`;
const MESSAGE_SECRET = `ghp_MESSAGE${tag}k7W4`;

const AGENTS = [
  {
    name: 'codexerr-snippet-openab-codex',
    secret: SNIPPET_SECRET,
    config: `model = "o3"\n[mcp_servers.github]\ncommand = "github-mcp"\nenv = { GITHUB_PERSONAL_ACCESS_TOKEN = ${SNIPPET_SECRET} }\n`,
    // Codex 0.169.0: "config.toml:4:40: string values must be quoted, expected literal string".
    reason: 'config.toml line 4, column 40: string values must be quoted',
  },
  {
    name: 'codexerr-message-openab-codex',
    secret: MESSAGE_SECRET,
    config: `approval_policy = "${MESSAGE_SECRET}"\n`,
    // "unknown variant `<the value>`, expected one of `untrusted`, ...": the value is hidden.
    reason: 'unknown variant (hidden), expected one of',
  },
] as const;

function labels(name: string) {
  return { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'codex' };
}

/** Writes config.toml in the agent's pod as the cluster admin; the content travels as "$1". */
async function plantConfig(name: string, config: string): Promise<void> {
  const pod = await runningPod(NS, `app.kubernetes.io/instance=${name}`);
  const script = 'H="${CODEX_HOME:-$HOME/.codex}"; mkdir -p "$H" && printf %s "$1" > "$H/config.toml" && echo planted';
  const { out } = await execAsAdmin(NS, pod, ['sh', '-c', script, 'plant', config]);
  expect(out).toContain('planted');
}

const signedIn = signedInRequests();
const as = signedIn.as;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const apps = adminKube().makeApiClient(k8s.AppsV1Api);
  for (const a of AGENTS) {
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: chartDeployment({
        name: a.name,
        labels: labels(a.name),
        image: 'ghcr.io/openabdev/openab-codex:e2e',
        claimName: `${a.name}-data`,
        workingDir: '/home/node',
      }),
    });
  }
  for (const a of AGENTS) await plantConfig(a.name, a.config);
});

test.afterAll(async () => {
  signedIn.clear();
  const kc = adminKube();
  for (const a of AGENTS)
    await kc
      .makeApiClient(k8s.AppsV1Api)
      .deleteNamespacedDeployment({ namespace: NS, name: a.name })
      .catch(() => undefined);
});

test('a config.toml Codex refuses: its reason shows, no line of the file reaches any role, route or log', async ({ browser }) => {
  test.setTimeout(300_000);
  const secrets = AGENTS.map((a) => a.secret);
  const hits: string[] = [];
  let responses = 0;
  const scan = (where: string, text: string) => {
    for (const s of secrets) if (text.includes(s)) hits.push(`${where}: ${s.slice(0, 11)}…`);
    // The planted line's other words (the key holding the token) stay in the pod too.
    if (text.includes('GITHUB_PERSONAL_ACCESS_TOKEN')) hits.push(`${where}: GITHUB_PERSONAL_ACCESS_TOKEN`);
  };

  // Codex's reason reaches the agent page, as a viewer sees it: the probe read the planted file.
  const viewer = await as(browser, 'viewer');
  for (const a of AGENTS) {
    const url = fillTemplate('/agents/[cluster]/[namespace]/[name]', { namespace: NS, name: a.name });
    await expect
      .poll(async () => (await (await viewer.get(url)).text()).replace(/<!-- -->/g, ''), {
        timeout: 30_000,
        message: `${a.name} shows Codex's reason`,
      })
      .toContain(a.reason);
  }

  const pages = pageTemplates();
  const routes = routeEntries().filter((r) => r.method === 'GET');
  for (const role of ROLES) {
    const ctx = await as(browser, role);
    const visit = async (url: string) => {
      const res = await ctx.get(url, { maxRedirects: 0 });
      responses++;
      scan(`${role} ${url}`, (await res.body()).toString('utf8'));
    };
    for (const p of pages.filter((t) => !t.includes('['))) await visit(p);
    for (const r of routes.filter((x) => !x.template.includes('['))) await visit(r.template);
    for (const a of AGENTS) {
      const agent = { namespace: NS, name: a.name };
      for (const p of pages.filter((t) => t.includes('['))) await visit(fillTemplate(p, agent));
      for (const r of routes.filter((x) => x.template.includes('['))) {
        const query = r.route.endsWith('/log/route')
          ? `?pod=${encodeURIComponent(await runningPod(NS, `app.kubernetes.io/instance=${a.name}`))}&tail=50`
          : '';
        await visit(fillTemplate(r.template, agent) + query);
      }
    }
  }

  // The feature switch asks Codex first: its refusal is answered to the operator in Codex's words.
  const operator = await as(browser, 'operator');
  for (const a of AGENTS) {
    const agent = { namespace: NS, name: a.name };
    const action = actionEntries((t) => fillTemplate(t, agent)).find((x) => x.name === 'setFeatureAction')!;
    const res = await operator.post(action.page, {
      headers: { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8' },
      data: JSON.stringify([{ clusterId: CLUSTER_ID, namespace: NS, name: a.name, feature: 'image_generation', enabled: true }]),
    });
    const body = await res.text();
    responses++;
    expect(res.status()).toBeLessThan(500);
    expect(body).toContain('"ok":false');
    scan(`operator setFeatureAction ${a.name}`, body);
  }

  scan('dashboard log', readFileSync(dashboardLogPath(), 'utf8'));
  console.log(`codex error scan: ${responses} responses as ${ROLES.length} roles and the log: ${hits.length} hits`);
  expect(hits).toEqual([]);
  expect(responses).toBeGreaterThan(ROLES.length * 4);
});
