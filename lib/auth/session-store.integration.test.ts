// The session list against the dev cluster over the wire: what one replica writes (sign-outs,
// sessions an admin ended) the others read; concurrent writers keep each other's entries; the
// Helm chart's Role in the dashboard's namespace is all the dashboard needs for it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderChart } from '../../scripts/helm';
import { resetSettings } from '../settings';
import { getClusters } from '../k8s/clusters';
import { resetAppCaches, startTestCluster, type DevClusterControl, type TestCluster } from '../testing/devcluster';
import { endSessionsOf, readSessionState, recordSignIn, resetSessionStoreCache, revokeSession, sessionEnded } from './session-store';
import { checkSession, newSessionIdentity } from './session';
import { hashPassword } from './local-users';

let testCluster: TestCluster;
let control: DevClusterControl;
/** The test below sets more of the environment than the cluster's address; all of it is put back. */
const saved = { ...process.env };

beforeAll(async () => {
  testCluster = await startTestCluster('session-store', { seed: 'empty' });
  control = testCluster.control;
  testCluster.pointApp({ SESSION_STORE_CACHE_MS: '1000', SESSION_MAX_AGE_SECONDS: '3600' });
});

afterAll(async () => {
  await testCluster?.stop();
  process.env = saved;
  resetAppCaches();
});

/** Another replica: nothing of this process's memory. */
beforeEach(() => resetSessionStoreCache());

const facts = (sid: string, userKey = 'local:ada', signedInAt = Date.now() - 1000) => ({ sid, userKey, signedInAt });

describe('the session list shared by replicas', () => {
  it('keeps a sign-out in a ConfigMap in the dashboard namespace, where another replica reads it', async () => {
    await revokeSession('sid-signed-out', Date.now() + 60_000);
    resetSessionStoreCache();
    expect(await sessionEnded(facts('sid-signed-out'))).toBe(true);
    expect(await sessionEnded(facts('sid-still-on'))).toBe(false);
    const cm = await control.call<{ data: Record<string, string> }>(
      'GET',
      '/api/v1/namespaces/openab-dashboard/configmaps/openab-dashboard-sessions',
    );
    expect(JSON.parse(cm.data['sessions.json']).revoked).toHaveProperty('sid-signed-out');
  });

  it("ends a user's sessions signed in until then, not later ones nor other users'", async () => {
    const before = Date.now() - 5_000;
    await endSessionsOf('local:bob');
    resetSessionStoreCache();
    expect(await sessionEnded(facts('a', 'local:bob', before))).toBe(true);
    expect(await sessionEnded(facts('b', 'local:bob', Date.now() + 10))).toBe(false);
    expect(await sessionEnded(facts('c', 'local:carol', before))).toBe(false);
  });

  it('keeps every entry when replicas write at once (compare-and-swap, retried)', async () => {
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        resetSessionStoreCache();
        await revokeSession(`sid-concurrent-${i}`, Date.now() + 60_000);
      }),
    );
    resetSessionStoreCache();
    const state = await readSessionState();
    for (let i = 0; i < 6; i++) expect(state.revoked).toHaveProperty(`sid-concurrent-${i}`);
  });

  it('forgets a sign-out once that session would have expired anyway', async () => {
    await revokeSession('sid-old', Date.now() - 1);
    await recordSignIn('local:ada', { name: 'ada', provider: 'local' });
    resetSessionStoreCache();
    expect((await readSessionState()).revoked).not.toHaveProperty('sid-old');
  });
});

describe('the check behind every guard call', () => {
  it('derives the role from the settings of the moment, ends at the absolute lifetime, and honours the list', async () => {
    const hashed = hashPassword('pw');
    process.env.LOCAL_USERS = `dora:admin:${hashed}`;
    resetSettings();
    const dora = newSessionIdentity({ id: 'local:dora', name: 'dora' }, 'local');
    expect(await checkSession(dora)).toEqual({ ok: true, role: 'admin' });
    process.env.LOCAL_USERS = `dora:viewer:${hashed}`;
    resetSettings();
    expect(await checkSession(dora)).toEqual({ ok: true, role: 'viewer' });
    process.env.LOCAL_USERS = `someone:viewer:${hashed}`;
    resetSettings();
    expect(await checkSession(dora)).toEqual({ ok: false, reason: 'no-role' });

    process.env.ROLES_OPERATOR = 'sre';
    resetSettings();
    const olga = newSessionIdentity({ id: 'sub-1', name: 'Olga', email: 'olga@example.com', groups: ['sre'] }, 'oidc');
    expect(await checkSession(olga)).toEqual({ ok: true, role: 'operator' });
    process.env.ROLES_OPERATOR = 'other-team';
    resetSettings();
    expect(await checkSession(olga)).toEqual({ ok: false, reason: 'no-role' });
    process.env.ROLES_OPERATOR = 'sre';
    resetSettings();

    expect(await checkSession(olga, olga.signedInAt + 3600_000)).toEqual({ ok: false, reason: 'expired' });
    await revokeSession(olga.sid, olga.signedInAt + 3600_000);
    expect(await checkSession(olga)).toEqual({ ok: false, reason: 'ended' });
  });
});

describe('with the Helm chart as the only rules for the dashboard', () => {
  it('the chart grants what the session list needs in its namespace, and no other ConfigMap there', async () => {
    const objects = (await renderChart({ fullnameOverride: 'openab-dashboard', namespaces: ['agents'] })).filter((d) =>
      /Role/.test(d.kind),
    );
    await control.call('PUT', '/_devcluster/rbac', objects);
    try {
      await revokeSession('sid-under-chart-rbac', Date.now() + 60_000);
      resetSessionStoreCache();
      expect(await sessionEnded(facts('sid-under-chart-rbac'))).toBe(true);
      await control.call('POST', '/api/v1/namespaces/openab-dashboard/configmaps', {
        metadata: { name: 'someone-elses' },
        data: { a: 'b' },
      });
      const core = getClusters()[0].core;
      await expect(
        core.replaceNamespacedConfigMap({
          namespace: 'openab-dashboard',
          name: 'someone-elses',
          body: { metadata: { name: 'someone-elses' }, data: { a: 'c' } },
        }),
      ).rejects.toMatchObject({ code: 403 });
    } finally {
      await control.call('DELETE', '/_devcluster/rbac');
    }
  });
});
