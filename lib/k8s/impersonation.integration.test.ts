// Impersonation mode: what goes on the wire (one Impersonate-Group line per group, on API
// calls and on exec's WebSocket), and, against the dev cluster, that Kubernetes RBAC of the
// signed-in person decides what the dashboard offers and does.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSettings } from '../settings';
import { getCluster } from './clusters';
import { canI } from './access';
import { execInPod } from './exec';
import {
  ImpersonatingKubeConfig,
  kubeIdentityOf,
  runWithIdentity,
  setIdentityResolver,
  withImpersonationHeaders,
  type RequestIdentity,
} from './impersonation';
import { getFleet, type Fleet, type FleetAgent } from '../fleet/fleet';
import { probeAgent } from '../fleet/probe';
import {
  DASHBOARD_CONTEXT,
  EVERY_CODEX_AGENT,
  grant,
  startTestCluster,
  until,
  type DevClusterControl,
  type TestCluster,
} from '../testing/devcluster';
import { agentActionAccess } from '../operations/access';
import { restartAgent } from '../operations/restart';
import { findAgentPod } from '../operations/target';
import { listAgentHistory } from '../audit/history';
import { UserFacingError } from '../errors';
import type { ImpersonationSettings } from '../settings';

const DEFAULTS: ImpersonationSettings = { enabled: true, userClaim: 'email', userPrefix: '', groupPrefix: '' };
const local = (name: string, role: string) => ({ id: `local:${name}`, name, email: null, role, groups: [], provider: 'local' });
const as = (user: ReturnType<typeof local>): RequestIdentity => ({ kind: 'user', identity: kubeIdentityOf(user) });

describe('identity mapping', () => {
  it('maps local users to dashboard:<name> in group dashboard:<role>', () => {
    expect(kubeIdentityOf(local('operator', 'operator'))).toEqual({ user: 'dashboard:operator', groups: ['dashboard:operator'] });
  });

  it('maps OIDC users by e-mail or subject, with prefixes, and never passes system: groups', () => {
    const oidc = {
      id: 'sub-123',
      name: 'Ada',
      email: 'ada@example.com',
      role: 'admin',
      groups: ['sre', 'system:masters'],
      provider: 'oidc',
    };
    expect(kubeIdentityOf(oidc, DEFAULTS)).toEqual({ user: 'ada@example.com', groups: ['sre'] });
    expect(kubeIdentityOf(oidc, { ...DEFAULTS, userClaim: 'sub', userPrefix: 'oidc:', groupPrefix: 'oidc:' })).toEqual({
      user: 'oidc:sub-123',
      groups: ['oidc:sre'],
    });
    expect(() => kubeIdentityOf({ ...oidc, email: null }, DEFAULTS)).toThrow(/no e-mail/);
  });

  it('drops Impersonate-* headers it did not set, whatever their case or shape', () => {
    const id = { user: 'u', groups: ['g1', 'g2'] };
    expect(
      withImpersonationHeaders(
        { 'Impersonate-User': 'admin', 'impersonate-group': 'system:masters', 'Impersonate-Extra-scopes': 'x', accept: 'application/json' },
        id,
      ),
    ).toEqual({
      accept: 'application/json',
      'impersonate-user': 'u',
      'impersonate-group': ['g1', 'g2'],
    });
    expect(withImpersonationHeaders(['IMPERSONATE-USER', 'admin', 'x-a', '1'], id)).toEqual({
      'x-a': '1',
      'impersonate-user': 'u',
      'impersonate-group': ['g1', 'g2'],
    });
  });
});

describe('on the wire', () => {
  const seen: Array<{ upgrade: boolean; raw: string[] }> = [];
  const server = createServer((req, res) => {
    seen.push({ upgrade: false, raw: req.rawHeaders });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  server.on('upgrade', (req: IncomingMessage, socket) => {
    seen.push({ upgrade: true, raw: req.rawHeaders });
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  let kc: ImpersonatingKubeConfig;
  /** The values of every header line with this name, in order (rawHeaders keeps lines apart). */
  const lines = (raw: string[], name: string) => raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [raw[i + 1]] : []));

  beforeAll(async () => {
    process.env.IMPERSONATION = 'true';
    resetSettings();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    kc = new ImpersonatingKubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  afterAll(() => {
    delete process.env.IMPERSONATION;
    resetSettings();
    server.close();
  });

  const alice: RequestIdentity = { kind: 'user', identity: { user: 'alice@example.com', groups: ['sre', 'team, with comma'] } };

  it('sends one Impersonate-Group line per group on API calls', async () => {
    await runWithIdentity(alice, () => kc.makeApiClient(k8s.CoreV1Api).listNamespace());
    const raw = seen.at(-1)!.raw;
    expect(lines(raw, 'impersonate-user')).toEqual(['alice@example.com']);
    expect(lines(raw, 'impersonate-group')).toEqual(['sre', 'team, with comma']);
    expect(lines(raw, 'authorization')).toEqual(['Bearer secret-token']);
  });

  it('sends them on the WebSocket of exec too', async () => {
    await runWithIdentity(alice, () => new k8s.Exec(kc).exec('ns', 'pod', 'c', ['true'], null, null, null, false).catch(() => null));
    const up = seen.filter((s) => s.upgrade).at(-1)!;
    expect(lines(up.raw, 'impersonate-user')).toEqual(['alice@example.com']);
    expect(lines(up.raw, 'impersonate-group')).toEqual(['sre', 'team, with comma']);
  });

  it('as the dashboard itself, sends none', async () => {
    await runWithIdentity({ kind: 'dashboard' }, () => kc.makeApiClient(k8s.CoreV1Api).listNamespace());
    expect(seen.at(-1)!.raw.filter((h) => /^impersonate-/i.test(h))).toEqual([]);
  });

  it('where no identity was set (a page after requirePageUser), carries the user the resolver reads from the session', async () => {
    setIdentityResolver(async () => ({ kind: 'user', identity: { user: 'from-session@example.com', groups: ['g'] } }));
    await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(lines(seen.at(-1)!.raw, 'impersonate-user')).toEqual(['from-session@example.com']);
    // An identity set by the guard (actions, routes) wins over the session lookup.
    await runWithIdentity(alice, () => kc.makeApiClient(k8s.CoreV1Api).listNamespace());
    expect(lines(seen.at(-1)!.raw, 'impersonate-user')).toEqual(['alice@example.com']);
  });

  it('with no signed-in user found, makes no call at all', async () => {
    setIdentityResolver(null);
    const before = seen.length;
    await expect(kc.makeApiClient(k8s.CoreV1Api).listNamespace()).rejects.toThrow(/no signed-in user/);
    expect(seen.length).toBe(before);
  });
});

describe('against the dev cluster', () => {
  let testCluster: TestCluster;
  let control: DevClusterControl;
  const CTX = DASHBOARD_CONTEXT;
  const runningAndProbed = (x: FleetAgent) => Boolean(x.probe) && !x.problem && x.workload.pods.some((p) => p.ready && !p.terminating);
  const operator = local('operator', 'operator');
  const viewer = local('viewer', 'viewer');
  let agent: { clusterId: string; namespace: string; name: string };

  beforeAll(async () => {
    testCluster = await startTestCluster('impersonation', { seed: 'demo' });
    control = testCluster.control;
    // The dashboard may impersonate (the default policy); dashboard:viewer may only read;
    // dashboard:operator (a group) may also exec, but not patch Deployments.
    const read = {
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['', 'apps'],
      resources: ['pods', 'pods/log', 'events', 'deployments', 'replicasets', 'namespaces', 'configmaps'],
    };
    await grant(control, [{ kind: 'User', name: 'dashboard:viewer' }], [read]);
    await grant(
      control,
      [{ kind: 'Group', name: 'dashboard:operator' }],
      [read, { verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec'] }],
    );
    testCluster.pointApp({ IMPERSONATION: 'true', AGENT_SELECTOR: EVERY_CODEX_AGENT });
    // Pick a running agent as the dashboard would see it with the operator's rights.
    const fleet = await until(
      () => runWithIdentity(as(operator), () => getFleet()),
      (f) => f.agents.some(runningAndProbed),
      60_000,
      500,
    );
    const a = fleet.agents.find(runningAndProbed);
    if (a) agent = { clusterId: CTX, namespace: a.workload.namespace, name: a.workload.name };
    expect(agent).toBeTruthy();
  }, 120_000);

  afterAll(async () => {
    await testCluster?.stop();
  });

  it('asks the cluster as the person: the operator may edit (exec via its group) but not restart, with the reason', async () => {
    const access = await runWithIdentity(as(operator), () => agentActionAccess(getCluster(CTX), agent.namespace, agent.name, 'operator'));
    expect(access.editConfig.allowed).toBe(true);
    expect(access.restart.allowed).toBe(false);
    expect(access.restart.reason).toBe(
      `The cluster does not allow your Kubernetes identity (dashboard:operator) to patch deployments in ${agent.namespace}.`,
    );
    // The dashboard itself may patch: the answer really is the person's.
    expect(
      (
        await runWithIdentity({ kind: 'dashboard' }, () =>
          canI(getCluster(CTX), { namespace: agent.namespace, verb: 'patch', resource: 'deployments', group: 'apps' }),
        )
      ).allowed,
    ).toBe(true);
  });

  it('a restart by that operator fails with the 403 in plain words, and the dashboard still records it', async () => {
    const err = await runWithIdentity(as(operator), () => restartAgent(agent, { name: 'operator', email: null, role: 'operator' })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toMatch(/refused .*\(403\).*User "dashboard:operator" cannot patch resource "deployments"/);
    const history = await runWithIdentity({ kind: 'dashboard' }, () => listAgentHistory(getCluster(CTX), agent.namespace, agent.name));
    expect(history[0]).toMatchObject({ user: 'operator', action: 'restart', result: 'failure' });
  });

  it('exec carries the identity: allowed through the operator group, refused to the viewer', async () => {
    const target = await runWithIdentity(as(operator), () => findAgentPod(agent));
    const run = (id: RequestIdentity) =>
      runWithIdentity(id, () =>
        execInPod(getCluster(CTX), {
          namespace: agent.namespace,
          pod: target.pod.name,
          container: 'openab',
          argv: ['true'],
          timeoutMs: 20_000,
        }),
      );
    expect((await run(as(operator))).exitCode).toBe(0);
    await expect(run(as(viewer))).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it("someone who sees one namespace does not make the dashboard forget the other namespaces' facts", async () => {
    const teamB = local('team-b-lead', 'viewer');
    await grant(
      control,
      [{ kind: 'User', name: 'dashboard:team-b-lead' }],
      [
        { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'events', 'deployments'] },
        { verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec'] },
      ],
      'team-b',
    );
    const probedOutside = (f: Fleet) => f.agents.filter((a) => a.workload.namespace !== 'team-b' && runningAndProbed(a));
    const before = probedOutside(await runWithIdentity(as(operator), () => getFleet()));
    expect(before.length).toBeGreaterThan(0);
    const theirs = await runWithIdentity(as(teamB), () => getFleet());
    expect(theirs.agents.length).toBeGreaterThan(0);
    expect(theirs.agents.every((a) => a.workload.namespace === 'team-b')).toBe(true);
    // Without waiting for any probe: what the dashboard knew of the others is still there.
    const after = await runWithIdentity(as(operator), () => getFleet({ waitForFirstProbes: false }));
    for (const a of before) expect(after.agents.find((b) => b.key === a.key)?.probe, a.key).toBeTruthy();
  });

  it("a probe cached with the operator's rights is not served to the viewer", async () => {
    const target = await runWithIdentity(as(operator), () => findAgentPod(agent));
    const probeTarget = {
      cluster: getCluster(CTX),
      namespace: agent.namespace,
      pod: target.pod.name,
      podUid: target.pod.uid,
      container: 'openab',
    };
    const probe = await runWithIdentity(as(operator), () => probeAgent(probeTarget, { maxAgeMs: 600_000 }));
    expect(probe.codexHome).toBeTruthy();
    const stats = await control.stats();
    const refused = await runWithIdentity(as(viewer), () => probeAgent(probeTarget, { maxAgeMs: 600_000 })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ kind: 'forbidden' });
    expect((refused as Error).message).toMatch(/dashboard:viewer/);
    // The refusal came from an access review, not from a new exec.
    expect((await control.stats()).execs).toBe(stats.execs);
    // The fleet as the viewer: the agent is listed with that reason instead of probe data.
    const fleet = await runWithIdentity(as(viewer), () => getFleet());
    const seen = fleet.agents.find((a) => a.workload.name === agent.name && a.workload.namespace === agent.namespace);
    expect(seen).toBeTruthy();
    expect(seen!.probe).toBeNull();
    expect(seen!.problem).toMatch(/dashboard:viewer/);
  });
});
