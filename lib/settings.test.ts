import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from './settings';

const root = path.resolve(__dirname, '..');

function sources(rel: string): string[] {
  const full = path.join(root, rel);
  if (!statSync(full).isDirectory()) return [rel];
  return readdirSync(full).flatMap((name) =>
    /\.tsx?$/.test(name) || statSync(path.join(full, name)).isDirectory() ? sources(path.join(rel, name)) : [],
  );
}

const refusal = (env: Record<string, string>) => {
  try {
    parseSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(env)} was accepted`);
};

describe('settings', () => {
  it('defaults when nothing is set', () => {
    const s = parseSettings({});
    expect(s.actionRateLimit).toBe(60);
    expect(s.probeConcurrency).toBe(16);
    expect(s.heapGrowingPercent).toBe(100);
    expect(s.impersonation).toEqual({ enabled: false, userClaim: 'email', userPrefix: '', groupPrefix: '' });
    expect(s.images.cacheMaxBytes).toBe(512 * 1024 * 1024);
    expect(s.auth.trustedProxyHops).toBe(0);
    expect(s.auth.oidc).toBeNull();
    expect(s.allowedOrigins).toEqual([]);
  });

  it('reads what is set', () => {
    const s = parseSettings({
      ACTION_RATE_LIMIT: '5',
      ALLOWED_ORIGINS: 'a.example, *.b.example',
      IMPERSONATION: 'yes',
      IMPERSONATE_USER_CLAIM: 'SUB',
      IMAGE_BATCH_MAX_MB: '0.5',
      OIDC_ISSUER: 'https://id.example/',
      OIDC_CLIENT_ID: 'dash',
    });
    expect(s.actionRateLimit).toBe(5);
    expect(s.allowedOrigins).toEqual(['a.example', '*.b.example']);
    expect(s.impersonation.enabled).toBe(true);
    expect(s.impersonation.userClaim).toBe('sub');
    expect(s.images.batchMaxBytes).toBe(512 * 1024);
    expect(s.auth.oidc).toMatchObject({
      issuer: 'https://id.example',
      clientId: 'dash',
      groupsClaim: 'groups',
      scopes: 'openid email profile',
    });
  });

  it('refuses a bad value at start-up with a plain message naming the variable', () => {
    expect(refusal({ ACTION_RATE_LIMIT: 'abc' })).toMatch(
      /^The dashboard's settings are not valid: ACTION_RATE_LIMIT must be a whole number of at least 1\. /,
    );
    expect(refusal({ PROBE_TIMEOUT_MS: '-5' })).toMatch(/PROBE_TIMEOUT_MS must be a positive number/);
    expect(refusal({ TRUSTED_PROXY_HOPS: '1.5' })).toMatch(/TRUSTED_PROXY_HOPS must be a whole number of at least 0/);
    expect(refusal({ IMPERSONATION: 'maybe' })).toMatch(/IMPERSONATION must be true or false/);
    expect(refusal({ IMPERSONATE_USER_CLAIM: 'name' })).toMatch(/IMPERSONATE_USER_CLAIM must be email or sub/);
    expect(refusal({ DEFAULT_ROLE: 'root' })).toMatch(/DEFAULT_ROLE must be one of viewer, support, operator, admin/);
    expect(refusal({ NOTIFY_WEBHOOK_URL: 'ftp://hooks.example/secret-path' })).toMatch(/NOTIFY_WEBHOOK_URL is not an http\(s\) URL/);
    expect(refusal({ NOTIFY_WEBHOOK_URL: 'ftp://hooks.example/secret-path' })).not.toContain('secret-path');
    // Every variable at fault, at once.
    expect(refusal({ REFRESH_MS: 'soon', IMAGE_THUMBNAIL_PX: 'NaN' })).toMatch(/REFRESH_MS .*; IMAGE_THUMBNAIL_PX /);
  });

  it('never repeats the value it refuses (it may be a secret)', () => {
    expect(refusal({ SESSION_MAX_AGE_SECONDS: 'hunter2-secret' })).not.toContain('hunter2');
  });

  it('HEAP_GROWING_PERCENT: a whole number from 10 to 400, 0 for V8 own rule', () => {
    expect(parseSettings({ HEAP_GROWING_PERCENT: '' }).heapGrowingPercent).toBe(100);
    expect(parseSettings({ HEAP_GROWING_PERCENT: '10' }).heapGrowingPercent).toBe(10);
    expect(parseSettings({ HEAP_GROWING_PERCENT: ' 250 ' }).heapGrowingPercent).toBe(250);
    expect(parseSettings({ HEAP_GROWING_PERCENT: '400' }).heapGrowingPercent).toBe(400);
    expect(parseSettings({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBeNull();
    for (const value of ['abc', '9', '401', '55.5', '-100', '1e9', 'Infinity']) {
      expect(refusal({ HEAP_GROWING_PERCENT: value }), value).toMatch(/HEAP_GROWING_PERCENT must be a whole number from 10 to 400/);
    }
  });

  it('stops the server at start-up on a bad value, saying which variable (instrumentation.ts)', () => {
    const start = (env: Record<string, string>) =>
      spawnSync(
        path.join(root, 'node_modules', '.bin', 'tsx'),
        [
          '--conditions=react-server',
          '-e',
          "import('./instrumentation.ts').then((m) => (m.register ?? m.default.register)()).then(() => console.log('started'))",
        ],
        {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', NEXT_RUNTIME: 'nodejs', ...env },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
    const bad = start({ ACTION_RATE_LIMIT: 'abc' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('ACTION_RATE_LIMIT must be a whole number of at least 1');
    expect(bad.stdout).not.toContain('started');
    const good = start({ ACTION_RATE_LIMIT: '30' });
    expect(good.stdout, good.stderr).toContain('started');
  }, 120_000);

  it('is the only reader of the environment in the app', () => {
    // NEXT_RUNTIME is Next's own: it must be read before anything Node-only (lib/settings.ts) loads.
    // The pods' programs (generated from lib/pod/programs) read the pod's environment, not ours;
    // lib/testing/ is the tests' own set-up, which points the app at a test cluster through it.
    const allowed = new Set([path.join('lib', 'settings.ts'), path.join('lib', 'pod', 'programs.generated.ts')]);
    const offenders = ['lib', 'app', 'proxy.ts', 'instrumentation.ts']
      .flatMap(sources)
      .filter((f) => !f.endsWith('.test.ts') && !f.startsWith(path.join('lib', 'testing') + path.sep) && !allowed.has(f))
      .flatMap((f) =>
        readFileSync(path.join(root, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
          .filter(({ line }) => /process\.env\b/.test(line.replace(/process\.env\.NEXT_RUNTIME\b/g, '')))
          .map(({ at }) => at),
      );
    expect(offenders).toEqual([]);
  });
});
