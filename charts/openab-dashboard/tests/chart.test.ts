// helm lint and helm template of the chart with the value sets an operator uses, and what the
// rendered Deployment promises: non-root, read-only root with scratch emptyDirs, probes, and
// environment variables that the app really reads.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAll } from 'js-yaml';
import { chartDir, helm, renderChart } from '../../../scripts/helm';

const root = path.resolve(__dirname, '../../..');
type Doc = Record<string, any>;
const byKind = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
const container = (docs: Doc[]) => byKind(docs, 'Deployment')[0].spec.template.spec.containers[0];
const envOf = (docs: Doc[]) =>
  Object.fromEntries(
    (container(docs).env as Array<{ name: string; value?: string; valueFrom?: unknown }>).map((e) => [e.name, e.value ?? e.valueFrom]),
  );

const VALUE_SETS: Record<string, Doc> = {
  defaults: {},
  namespaced: { namespaces: ['agents', 'team-b'] },
  'cluster-wide': { rbac: { clusterWide: true }, namespaces: ['agents'] },
  'impersonation on': { namespaces: ['agents'], impersonation: { enabled: true } },
  'secret fallback on': { namespaces: ['agents'], discord: { secretFallback: true, agentSecretNames: ['openab-codex'] } },
  'secret fallback off, own bot token': {
    namespaces: ['agents'],
    discord: { secretFallback: false, botToken: { existingSecret: 'discord-file-bot' } },
  },
  'everything on': {
    url: 'https://dash.example.com',
    namespaces: ['agents'],
    agents: { loginIssuer: 'https://auth.example.com' },
    auth: { existingSecret: 'dash-auth', sessionMaxAgeSeconds: 3600, trustedProxyHops: 1, localUsers: { existingSecret: 'dash-users' } },
    oidc: { enabled: true, issuer: 'https://dex.example.com', clientId: 'openab-dashboard', existingSecret: 'dash-oidc' },
    roles: {
      admin: ['platform-admins'],
      operator: ['sre', 'lead@example.com'],
      support: ['support'],
      viewer: ['everyone'],
      default: 'viewer',
    },
    discord: {
      apiBase: 'https://discord.example.com/api/v10',
      botToken: { existingSecret: 'discord-file-bot' },
      secretFallback: true,
      agentSecretNames: ['openab-codex'],
    },
    impersonation: {
      enabled: true,
      userClaim: 'sub',
      userPrefix: 'oidc:',
      groupPrefix: 'oidc:',
      subjects: [{ kind: 'Group', name: 'oidc:sre' }],
    },
    allowedOrigins: ['https://proxy.example.com'],
    notifications: { existingSecret: 'dash-notify', intervalMs: 30000, leaseSeconds: 15 },
    ingress: { enabled: true, className: 'nginx', tls: [{ secretName: 'dash-tls', hosts: ['dash.example.com'] }] },
    extraEnv: [{ name: 'PROBE_CACHE_MS', value: '3000' }],
  },
};

/** helm lint with a values file (removed afterwards). */
async function lint(values: Doc) {
  const file = path.join(root, 'node_modules', '.cache', `chart-values-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(values));
  try {
    return await helm(['lint', chartDir, '--strict', '--values', file]);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('helm lint', () => {
  for (const [name, values] of Object.entries(VALUE_SETS)) {
    it(`passes with ${name}`, async () => {
      const res = await lint(values);
      expect(res.stdout + res.stderr).toContain('0 chart(s) failed');
      expect(res.code).toBe(0);
    });
  }
});

describe('helm template', () => {
  it('renders the defaults: Deployment, Service, ServiceAccount, a generated session Secret, no Ingress', async () => {
    const docs = await renderChart({});
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'Deployment',
      'Role',
      'RoleBinding',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    const env = envOf(docs);
    expect(env.WATCH_NAMESPACES).toBe('*');
    expect(env.NEXTAUTH_URL).toBe('http://127.0.0.1:3000');
    expect(env.NEXTAUTH_SECRET).toEqual({ secretKeyRef: { name: 'openab-dashboard-auth', key: 'nextauth-secret' } });
    expect(Buffer.from(byKind(docs, 'Secret')[0].data['nextauth-secret'], 'base64').length).toBeGreaterThanOrEqual(32);
    expect(env.AGENT_SELECTOR).toBe('app.kubernetes.io/name=openab,app.kubernetes.io/component=codex');
    expect(env.AGENT_CONTAINER).toBe('openab');
    expect(env.OIDC_ISSUER).toBeUndefined();
  });

  it('the pod runs non-root with a read-only root, emptyDirs for /tmp and the Next.js cache, and probes', async () => {
    const docs = await renderChart({});
    const pod = byKind(docs, 'Deployment')[0].spec.template.spec;
    const c = container(docs);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    const mounts = Object.fromEntries(c.volumeMounts.map((m: Doc) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/tmp': 'tmp', '/app/.next/cache': 'next-cache' });
    for (const v of pod.volumes) expect(v.emptyDir).toBeDefined();
    for (const probe of [c.livenessProbe, c.readinessProbe]) expect(probe.httpGet).toEqual({ path: '/api/auth/providers', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(envOf(docs).HOSTNAME).toBe('0.0.0.0');
    expect(pod.serviceAccountName).toBe('openab-dashboard');
  });

  it('maps every value to its environment variable', async () => {
    const docs = await renderChart(VALUE_SETS['everything on']);
    const env = envOf(docs);
    expect(env).toMatchObject({
      NEXTAUTH_URL: 'https://dash.example.com',
      NEXTAUTH_SECRET: { secretKeyRef: { name: 'dash-auth', key: 'nextauth-secret' } },
      SESSION_MAX_AGE_SECONDS: '3600',
      LOCAL_USERS: { secretKeyRef: { name: 'dash-users', key: 'local-users' } },
      WATCH_NAMESPACES: 'agents',
      OIDC_ISSUER: 'https://dex.example.com',
      OIDC_CLIENT_ID: 'openab-dashboard',
      OIDC_CLIENT_SECRET: { secretKeyRef: { name: 'dash-oidc', key: 'client-secret' } },
      OIDC_GROUPS_CLAIM: 'groups',
      OIDC_SCOPES: 'openid email profile',
      ROLES_ADMIN: 'platform-admins',
      ROLES_OPERATOR: 'sre,lead@example.com',
      ROLES_SUPPORT: 'support',
      ROLES_VIEWER: 'everyone',
      DEFAULT_ROLE: 'viewer',
      DISCORD_API_BASE: 'https://discord.example.com/api/v10',
      DISCORD_FILE_BOT_TOKEN: { secretKeyRef: { name: 'discord-file-bot', key: 'discord-bot-token' } },
      ALLOWED_ORIGINS: 'https://proxy.example.com',
      IMPERSONATION: 'true',
      IMPERSONATE_USER_CLAIM: 'sub',
      IMPERSONATE_USER_PREFIX: 'oidc:',
      IMPERSONATE_GROUP_PREFIX: 'oidc:',
      PROBE_CACHE_MS: '3000',
      NOTIFY_SLACK_WEBHOOK_URL: { secretKeyRef: { name: 'dash-notify', key: 'slack-webhook-url', optional: true } },
      NOTIFY_DISCORD_WEBHOOK_URL: { secretKeyRef: { name: 'dash-notify', key: 'discord-webhook-url', optional: true } },
      NOTIFY_WEBHOOK_URL: { secretKeyRef: { name: 'dash-notify', key: 'webhook-url', optional: true } },
      NOTIFY_INTERVAL_MS: '30000',
      NOTIFY_LEASE_SECONDS: '15',
    });
    expect(byKind(docs, 'Secret')).toEqual([]);
    const ingress = byKind(docs, 'Ingress')[0];
    expect(ingress.spec.rules[0].host).toBe('dash.example.com');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'openab-dashboard', port: { name: 'http' } });
  });

  it('notifications: off without a Secret; the Lease and record named after the release, the holder after the pod', async () => {
    const env = envOf(await renderChart({}, { namespace: 'dash-home' }));
    expect(Object.keys(env).filter((n) => n.endsWith('_WEBHOOK_URL'))).toEqual([]);
    expect(env).toMatchObject({
      NOTIFY_NAMESPACE: 'dash-home',
      NOTIFY_LEASE_NAME: 'openab-dashboard-notifier',
      NOTIFY_RECORD_NAME: 'openab-dashboard-notifications',
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    const own = envOf(await renderChart({ notifications: { existingSecret: 'hooks', discordKey: 'discord' } }));
    expect(own.NOTIFY_DISCORD_WEBHOOK_URL).toEqual({ secretKeyRef: { name: 'hooks', key: 'discord', optional: true } });
  });

  it('the bot token may be passed as DISCORD_BOT_TOKEN instead', async () => {
    const env = envOf(await renderChart({ discord: { botToken: { existingSecret: 'bot', key: 'token', env: 'DISCORD_BOT_TOKEN' } } }));
    expect(env.DISCORD_BOT_TOKEN).toEqual({ secretKeyRef: { name: 'bot', key: 'token' } });
    expect(env.DISCORD_FILE_BOT_TOKEN).toBeUndefined();
  });

  it('refuses values that would misconfigure the dashboard, saying which', async () => {
    await expect(renderChart({ roles: { default: 'superuser' } })).rejects.toThrow(
      /roles.default must be one of viewer, support, operator, admin/,
    );
    await expect(renderChart({ discord: { botToken: { existingSecret: 'x', env: 'TOKEN' } } })).rejects.toThrow(/discord.botToken.env/);
    await expect(renderChart({ impersonation: { enabled: true, userClaim: 'name' } })).rejects.toThrow(
      /impersonation.userClaim must be email or sub/,
    );
    await expect(renderChart({ oidc: { enabled: true } })).rejects.toThrow(/oidc.issuer is required/);
    await expect(renderChart({ oidc: { enabled: true, issuer: 'https://i', clientId: 'c' } })).rejects.toThrow(/oidc.existingSecret/);
  });

  it('sets only environment variables the app reads; what the app reads is set by the chart or left to extraEnv', async () => {
    const read = new Set<string>();
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const f = path.join(dir, n);
        return statSync(f).isDirectory() ? walk(f) : /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n) ? [f] : [];
      });
    for (const f of [
      ...walk(path.join(root, 'lib')),
      ...walk(path.join(root, 'app')),
      ...walk(path.join(root, 'components')),
      path.join(root, 'proxy.ts'),
      path.join(root, 'next.config.ts'),
    ]) {
      // The pods' programs read the pod's environment, not the dashboard's.
      if (f.endsWith(path.join('lib', 'pod', 'programs.generated.ts'))) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|process\.env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)) read.add(m[1] ?? m[2]);
      if (/env\[`ROLES_\$\{/.test(text)) for (const r of ['ADMIN', 'OPERATOR', 'SUPPORT', 'VIEWER']) read.add(`ROLES_${r}`);
    }
    const everything = { ...VALUE_SETS['everything on'], extraEnv: [] };
    const set = new Set([
      ...Object.keys(envOf(await renderChart(everything))),
      ...Object.keys(
        envOf(await renderChart({ ...everything, discord: { botToken: { existingSecret: 'bot', env: 'DISCORD_BOT_TOKEN' } } })),
      ),
    ]);
    // Read by Next.js's standalone server and by next-auth rather than by our code.
    const server = ['HOSTNAME', 'PORT', 'NEXTAUTH_URL'];
    expect([...set].filter((n) => !read.has(n) && !server.includes(n))).toEqual([]);
    // Meant for extraEnv (tuning), or not for a cluster install (kubeconfig files, the demo, local builds).
    const notInChart = new Set([
      'KUBECONFIG',
      'KUBE_CONTEXTS',
      'KUBERNETES_SERVICE_HOST',
      'DEMO_PASSWORD',
      'NEXT_DIST_DIR',
      'PATH',
      'NODE_ENV',
    ]);
    const tuning = (n: string) =>
      /^(PROBE_|REFRESH_MS$|IMAGE_|ACTION_RATE_LIMIT$|SIGNIN_|SESSION_STORE_CACHE_MS$|READINESS_|HEAP_GROWING_PERCENT$)/.test(n);
    const unplaced = [...read].filter((n) => !set.has(n) && !notInChart.has(n) && !tuning(n)).sort();
    expect(
      unplaced,
      'new settings: give each a value in charts/openab-dashboard (values.yaml + deployment.yaml), or list it here as tuning left to extraEnv',
    ).toEqual([]);
  });

  it("the README's example values render (with the Secrets they name)", async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    // Code blocks may be indented inside list items; values blocks are the ones with a `url`.
    const blocks = [...readme.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)]
      .map((m) =>
        m[2]
          .split('\n')
          .map((l) => l.slice(m[1].length))
          .join('\n'),
      )
      .map((text) => loadAll(text)[0] as Doc)
      .filter((v) => v && typeof v === 'object' && 'url' in v);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const values of blocks) {
      const docs = await renderChart(values);
      const env = envOf(docs);
      expect(env.NEXTAUTH_URL).toBe(values.url);
      if (values.oidc?.enabled) expect(env.OIDC_ISSUER).toBe(values.oidc.issuer);
    }
  });
});
