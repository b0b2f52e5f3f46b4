// The operator actions against the dev cluster with the demo seed: real exec into sandboxed
// pods running the real Codex CLI, the real client, real Events.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { getCluster } from '../k8s/clusters';
import {
  DASHBOARD_CONTEXT,
  EVERY_CODEX_AGENT,
  readyFleet,
  startTestCluster,
  until,
  type DevClusterControl,
  type TestCluster,
} from '../testing/devcluster';
import { execInPod } from '../k8s/exec';
import { probeAgent, resetProbeCacheForTests } from '../fleet/probe';
import type { FleetAgent } from '../fleet/fleet';
import { setApprovalMode } from '../codex/config';
import { listAgentHistory } from '../audit/history';
import { UserFacingError } from '../errors';
import { changeApprovalMode, readApprovalForm } from './approval-mode';
import { readPodConfig, sha256, writePodConfig } from './pod-config';
import { changeFeature } from './feature-toggle';
import { agentRolloutStatus, restartAgent, restartAgents } from './restart';
import type { RolloutStatus } from '../k8s/rollout';
import { agentActionAccess } from './access';
import { findAgentPod } from './target';
import type { AgentRef } from './agent-ref';

let testCluster: TestCluster;
let control: DevClusterControl;
const CTX = DASHBOARD_CONTEXT;
const operator = { name: 'olivia', email: 'olivia@example.com', role: 'operator' };
const ref = (namespace: string, name: string): AgentRef => ({ clusterId: CTX, namespace, name });

// Chosen from the running fleet by what each agent is (the demo seed's layout may change).
let MANUAL: AgentRef;
let SCRATCH_AGENT: AgentRef;
let CUSTOM: AgentRef;
let UNPARSEABLE: AgentRef;
let OTHER_HOME: AgentRef;
let RESTART: AgentRef;

async function pickAgents() {
  // Wait for every pod to have started, so the fleet reads as seeded.
  const { agents } = await readyFleet();
  const taken = new Set<string>();
  const take = (what: string, test: (a: FleetAgent) => boolean): AgentRef => {
    const a = agents.find((x) => !taken.has(x.key) && !x.problem && x.probe && test(x));
    if (!a) throw new Error(`the demo fleet has no agent that is ${what}`);
    taken.add(a.key);
    return ref(a.workload.namespace, a.workload.name);
  };
  const healthy = (a: FleetAgent) => !a.probe!.codexError && a.probe!.codexHome.startsWith('/home/node');
  UNPARSEABLE = take('refused by Codex', (a) => Boolean(a.probe!.codexError) && a.probe!.approval.ok);
  OTHER_HOME = take(
    'at a home other than /home/node',
    (a) => !a.probe!.codexError && !a.probe!.codexHome.startsWith('/home/node') && a.probe!.imageGeneration === true,
  );
  CUSTOM = take('custom', (a) => healthy(a) && a.probe!.approval.ok && a.probe!.approval.mode === 'custom');
  MANUAL = take('manual', (a) => healthy(a) && a.probe!.approval.ok && a.probe!.approval.mode === 'manual');
  SCRATCH_AGENT = take('healthy', healthy);
  RESTART = take('healthy', healthy);
}

/** Settles a rollout: its status once `done` holds, or after 45 s as it stands. */
const rolloutUntil = (agent: AgentRef, done: (s: RolloutStatus) => boolean, everyMs = 200) =>
  until(() => agentRolloutStatus(agent), done, 45_000, everyMs);

/** Writes (or with null removes) config.toml in the agent's pod behind the dashboard's back. */
async function putConfig(agent: AgentRef, content: string | Buffer | null) {
  const target = await findAgentPod(agent);
  const script =
    content === null
      ? 'H="${CODEX_HOME:-$HOME/.codex}"; rm -f "$H/config.toml"'
      : 'H="${CODEX_HOME:-$HOME/.codex}"; mkdir -p "$H" && cat > "$H/config.toml"';
  const out = await execInPod(getCluster(CTX), {
    namespace: agent.namespace,
    pod: target.pod.name,
    container: 'openab',
    argv: ['sh', '-c', script],
    stdin: content ?? undefined,
    timeoutMs: 20_000,
  });
  expect(out.exitCode).toBe(0);
}

async function configBytes(agent: AgentRef): Promise<{ text: string; hash: string; exists: boolean }> {
  return readPodConfig(await findAgentPod(agent));
}

async function probeOf(agent: AgentRef) {
  const target = await findAgentPod(agent);
  return probeAgent({
    cluster: target.cluster,
    namespace: agent.namespace,
    pod: target.pod.name,
    podUid: target.pod.uid,
    container: 'openab',
  });
}

async function expectUserError(work: Promise<unknown>, pattern: RegExp) {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  expect((err as Error).message).toMatch(pattern);
  return err as Error;
}

beforeAll(async () => {
  testCluster = await startTestCluster('actions', { seed: 'demo' });
  control = testCluster.control;
  testCluster.pointApp({
    KUBE_CONTEXTS: `${CTX},viewer@devcluster`,
    PROBE_CACHE_MS: '600000',
    AGENT_SELECTOR: EVERY_CODEX_AGENT,
  });
  await pickAgents();
  resetProbeCacheForTests();
}, 120_000);

afterAll(async () => {
  await testCluster?.stop();
});

describe('approval mode', () => {
  it('opens the form on the current mode and the file hash', async () => {
    const form = await readApprovalForm(MANUAL);
    const file = await configBytes(MANUAL);
    expect(form).toMatchObject({ ok: true, mode: 'manual', configExists: true, hash: sha256(file.text) });
  });

  it('switches to Auto-review by a surgical edit, shows it at once and records it', async () => {
    const before = await configBytes(MANUAL);
    expect((await probeOf(MANUAL)).approval).toMatchObject({ mode: 'manual' });
    const result = await changeApprovalMode(MANUAL, { mode: 'auto-review', baseHash: before.hash, replaceCustom: false }, operator);
    expect(result).toMatchObject({ status: 'changed', before: 'manual', after: 'auto-review' });
    const after = await configBytes(MANUAL);
    const expected = setApprovalMode(before.text, 'auto-review');
    expect('text' in expected && after.text).toBe('text' in expected ? expected.text : null);
    const changedKeys = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    expect(changedKeys(parse(before.text), parse(after.text))).toEqual(['approvals_reviewer']);
    // The probe cache (10 minutes here) was invalidated: the next read shows the new mode.
    expect((await probeOf(MANUAL)).approval).toMatchObject({ mode: 'auto-review' });
    const history = await listAgentHistory(getCluster(CTX), MANUAL.namespace, MANUAL.name);
    expect(history[0]).toMatchObject({
      user: 'olivia',
      role: 'operator',
      action: 'approval-mode',
      result: 'success',
      before: 'manual',
      after: 'auto-review',
    });
    expect(history[0].message).toMatch(/olivia \(operator\): approval-mode success; from manual to auto-review/);
  });

  it('refuses to write when config.toml changed since the form was opened, and loses nothing', async () => {
    const form = await readApprovalForm(MANUAL);
    if (!form.ok) throw new Error(form.error);
    const current = await configBytes(MANUAL);
    const edited = current.text + '# added by someone else meanwhile\n';
    await putConfig(MANUAL, edited);
    const result = await changeApprovalMode(MANUAL, { mode: 'full-access', baseHash: form.hash, replaceCustom: false }, operator);
    expect(result).toMatchObject({ status: 'conflict', current: 'auto-review', hash: sha256(edited) });
    expect(result.message).toMatch(/changed since this form was opened/);
    expect((await configBytes(MANUAL)).text).toBe(edited);
  });

  it('lets exactly one of two racing edits win; the other is told and nothing is lost', async () => {
    const base = await configBytes(MANUAL);
    const results = await Promise.all([
      changeApprovalMode(MANUAL, { mode: 'manual', baseHash: base.hash, replaceCustom: false }, operator),
      changeApprovalMode(MANUAL, { mode: 'full-access', baseHash: base.hash, replaceCustom: false }, operator),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual(['changed', 'conflict']);
    const winner = results.find((r) => r.status === 'changed') as { after: string };
    const file = await configBytes(MANUAL);
    expect((await readApprovalForm(MANUAL)).ok && ((await readApprovalForm(MANUAL)) as { mode: string }).mode).toBe(winner.after);
    expect(file.text).toContain('# added by someone else meanwhile');
  });

  it('puts the previous file back and shows Codex own error when Codex refuses the new one', async () => {
    const target = await findAgentPod(MANUAL);
    const before = await readPodConfig(target);
    const outcome = await writePodConfig(target, before.hash, 'approval_policy = "untrusted"\n');
    expect(outcome.status).toBe('refused-by-codex');
    expect(outcome.status === 'refused-by-codex' && outcome.error).toMatch(/untrusted|no longer supported/i);
    const after = await readPodConfig(target);
    expect(after.hash).toBe(before.hash);
    expect(after.text).toBe(before.text);
    // No temporary or backup file is left beside it.
    const ls = await execInPod(getCluster(CTX), {
      namespace: MANUAL.namespace,
      pod: target.pod.name,
      container: 'openab',
      argv: ['sh', '-c', 'ls -a "${CODEX_HOME:-$HOME/.codex}"'],
      timeoutMs: 10_000,
    });
    expect(ls.stdout.toString()).not.toMatch(/openab-(new|old|lock)/);
  });

  it('keeps comments, key order, a BOM and CRLF line endings; Codex accepts the result', async () => {
    const original =
      '\ufeff# fleet defaults\r\nmodel = "gpt-5"   # pinned\r\napproval_policy = "on-request" # keep this comment\r\napprovals_reviewer = "user"\r\n\r\n[mcp_servers.docs]\r\ncommand = "docs-mcp"\r\napprovals_reviewer = "not-this-one"\r\n';
    await putConfig(SCRATCH_AGENT, original);
    const form = await readApprovalForm(SCRATCH_AGENT);
    expect(form).toMatchObject({ ok: true, mode: 'manual' });
    const result = await changeApprovalMode(
      SCRATCH_AGENT,
      { mode: 'auto-review', baseHash: (form as { hash: string }).hash, replaceCustom: false },
      operator,
    );
    expect(result.status).toBe('changed');
    const after = (await configBytes(SCRATCH_AGENT)).text;
    expect(after).toBe(original.replace('approvals_reviewer = "user"', 'approvals_reviewer = "auto_review"'));
    expect(after.startsWith('\ufeff')).toBe(true);
    expect(
      after
        .split('\n')
        .slice(0, -1)
        .every((l) => l.endsWith('\r')),
    ).toBe(true);
  });

  it('works with a missing and with an empty config.toml', async () => {
    await putConfig(SCRATCH_AGENT, null);
    let form = await readApprovalForm(SCRATCH_AGENT);
    expect(form).toMatchObject({ ok: true, mode: 'default', configExists: false, hash: 'missing' });
    let result = await changeApprovalMode(SCRATCH_AGENT, { mode: 'full-access', baseHash: 'missing', replaceCustom: false }, operator);
    expect(result.status).toBe('changed');
    expect(parse((await configBytes(SCRATCH_AGENT)).text)).toEqual({ approval_policy: 'never', sandbox_mode: 'danger-full-access' });

    await putConfig(SCRATCH_AGENT, '');
    form = await readApprovalForm(SCRATCH_AGENT);
    expect(form).toMatchObject({ ok: true, mode: 'default', configExists: true, hash: sha256('') });
    result = await changeApprovalMode(SCRATCH_AGENT, { mode: 'manual', baseHash: sha256(''), replaceCustom: false }, operator);
    expect(result.status).toBe('changed');
    expect(parse((await configBytes(SCRATCH_AGENT)).text)).toEqual({ approval_policy: 'on-request', approvals_reviewer: 'user' });
  });

  it('refuses a config.toml that does not parse, with the parse error and none of its content', async () => {
    const broken = '[mcp_servers.docs]\nenv = { TOKEN = "sk-secret-marker-1234" }\napproval_policy = on-request\n';
    await putConfig(SCRATCH_AGENT, broken);
    const form = await readApprovalForm(SCRATCH_AGENT);
    expect(form.ok).toBe(false);
    expect(!form.ok && form.error).toMatch(/does not parse: line 3, column \d+/);
    const err = await expectUserError(
      changeApprovalMode(SCRATCH_AGENT, { mode: 'manual', baseHash: sha256(broken), replaceCustom: false }, operator),
      /not changed: config\.toml does not parse/,
    );
    for (const text of [err.message, !form.ok ? form.error : '']) {
      expect(text).not.toContain('sk-secret-marker');
      expect(text).not.toContain('on-request');
    }
    expect((await configBytes(SCRATCH_AGENT)).text).toBe(broken);
  });

  it('offers to replace the approval keys Codex itself rejects (they parse as TOML, so they read as custom)', async () => {
    expect(await readApprovalForm(UNPARSEABLE)).toMatchObject({ ok: true, mode: 'custom' });
  });

  it('asks before replacing a custom setting, then replaces it when confirmed', async () => {
    const form = await readApprovalForm(CUSTOM);
    expect(form).toMatchObject({ ok: true, mode: 'custom' });
    const hash = (form as { hash: string }).hash;
    const asked = await changeApprovalMode(CUSTOM, { mode: 'auto-review', baseHash: hash, replaceCustom: false }, operator);
    expect(asked.status).toBe('confirm-custom');
    expect((await configBytes(CUSTOM)).hash).toBe(hash);
    const done = await changeApprovalMode(CUSTOM, { mode: 'auto-review', baseHash: hash, replaceCustom: true }, operator);
    expect(done).toMatchObject({ status: 'changed', before: 'custom', after: 'auto-review' });
  });
});

describe('config.toml files of every shape, through the pod', () => {
  const corpus = path.resolve(__dirname, '../codex/fixtures/config');
  const picks = [
    '07-granular-inline.toml',
    '14-same-names-elsewhere.toml',
    '18-unicode.toml',
    '21-legacy-keys.toml',
    '32-crlf.toml',
    '33-bom.toml',
    '34-no-trailing-newline.toml',
    '36-bom-crlf-no-trailing.toml',
  ];

  it('arrive in the pod exactly as setApprovalMode wrote them, and Codex accepts them', async () => {
    for (const name of picks) {
      const text = readFileSync(path.join(corpus, name), 'utf8');
      await putConfig(SCRATCH_AGENT, text);
      const form = await readApprovalForm(SCRATCH_AGENT);
      if (!form.ok) throw new Error(`${name}: ${form.error}`);
      expect(form.hash, name).toBe(sha256(text));
      const mode = form.mode === 'auto-review' ? 'manual' : 'auto-review';
      const result = await changeApprovalMode(SCRATCH_AGENT, { mode, baseHash: form.hash, replaceCustom: true }, operator);
      expect(result.status, name).toBe('changed');
      const expected = setApprovalMode(text, mode);
      expect((await configBytes(SCRATCH_AGENT)).text, name).toBe('text' in expected ? expected.text : '');
    }
  });

  it('puts the file back and shows Codex own words when Codex refuses even the edited file', async () => {
    const text = 'profile = "ops"\napproval_policy = "on-request"\napprovals_reviewer = "user"\n';
    await putConfig(SCRATCH_AGENT, text);
    await expectUserError(
      changeApprovalMode(SCRATCH_AGENT, { mode: 'auto-review', baseHash: sha256(text), replaceCustom: false }, operator),
      /Codex refused the new config\.toml, so the previous file was put back\. Codex said: .*profile/is,
    );
    expect((await configBytes(SCRATCH_AGENT)).text).toBe(text);
    const [last] = await listAgentHistory(getCluster(CTX), SCRATCH_AGENT.namespace, SCRATCH_AGENT.name);
    expect(last).toMatchObject({ action: 'approval-mode', result: 'failure', warning: true });
  });
});

describe('a pod that cannot take the change', () => {
  it('says so when the Codex home is read-only, and changes nothing', async () => {
    const target = await findAgentPod(SCRATCH_AGENT);
    await putConfig(SCRATCH_AGENT, 'model = "gpt-5"\n');
    const chmod = (mode: string) =>
      execInPod(getCluster(CTX), {
        namespace: SCRATCH_AGENT.namespace,
        pod: target.pod.name,
        container: 'openab',
        argv: ['sh', '-c', 'chmod "$1" "${CODEX_HOME:-$HOME/.codex}"', 'chmod', mode],
        timeoutMs: 10_000,
      });
    await chmod('555');
    try {
      await expectUserError(
        changeApprovalMode(SCRATCH_AGENT, { mode: 'manual', baseHash: sha256('model = "gpt-5"\n'), replaceCustom: false }, operator),
        /read-only/,
      );
      await expectUserError(
        changeFeature(SCRATCH_AGENT, { name: 'image_generation', enabled: false, confirmUnstable: false }, operator),
        /read-only/,
      );
    } finally {
      await chmod('755');
    }
    expect((await configBytes(SCRATCH_AGENT)).text).toBe('model = "gpt-5"\n');
  });

  it('tells the user when the pod was replaced in the middle of an action', async () => {
    const stale = await findAgentPod(SCRATCH_AGENT);
    const before = await readPodConfig(stale);
    await restartAgent(SCRATCH_AGENT, operator);
    await rolloutUntil(SCRATCH_AGENT, (s) => s.done);
    await expectUserError(
      writePodConfig(stale, before.hash, 'approval_policy = "never"\n'),
      /no longer exists.*replaced while the action ran/,
    );
    expect((await configBytes(SCRATCH_AGENT)).text).toBe(before.text);
  });
});

describe('feature flags', () => {
  const hostile = [
    'image_generation; rm -rf ~',
    '--help',
    '../x',
    'іmage_generation' /* Cyrillic і */,
    'ｉmage_generation',
    'image\u200b_generation',
    'IMAGE_GENERATION',
    '',
    'a'.repeat(101),
    '$(id)',
  ];

  it('rejects hostile names with a clear error before any exec or API call', async () => {
    await control.resetStats();
    for (const name of hostile) {
      await expectUserError(changeFeature(OTHER_HOME, { name, enabled: true, confirmUnstable: true }, operator), /not a feature name/);
    }
    expect(await control.stats()).toMatchObject({ execs: 0 });
  });

  it('checks a plausible name against the live list and runs nothing else for an unknown one', async () => {
    await control.resetStats();
    await expectUserError(
      changeFeature(OTHER_HOME, { name: 'no_such_feature', enabled: true, confirmUnstable: false }, operator),
      /does not list a feature called "no_such_feature"/,
    );
    expect((await control.stats()).execs).toBe(1);
  });

  it('turns image generation off and on with codex features, in an agent whose home is not /home/node', async () => {
    expect((await probeOf(OTHER_HOME)).imageGeneration).toBe(true);
    const off = await changeFeature(OTHER_HOME, { name: 'image_generation', enabled: false, confirmUnstable: false }, operator);
    expect(off).toMatchObject({ status: 'changed', enabled: false });
    const probe = await probeOf(OTHER_HOME);
    expect(probe.imageGeneration).toBe(false);
    expect(probe.codexHome).toBe('/home/agent/.codex');
    expect((await configBytes(OTHER_HOME)).text).toMatch(/image_generation = false/);
    const again = await changeFeature(OTHER_HOME, { name: 'image_generation', enabled: false, confirmUnstable: false }, operator);
    expect(again.status).toBe('unchanged');
    const on = await changeFeature(OTHER_HOME, { name: 'image_generation', enabled: true, confirmUnstable: false }, operator);
    expect(on).toMatchObject({ status: 'changed', enabled: true });
    expect((await probeOf(OTHER_HOME)).imageGeneration).toBe(true);
    const history = await listAgentHistory(getCluster(CTX), OTHER_HOME.namespace, OTHER_HOME.name);
    expect(history.slice(0, 2).map((h) => [h.action, h.result, h.after])).toEqual([
      ['feature', 'success', { image_generation: true }],
      ['feature', 'success', { image_generation: false }],
    ]);
  });

  it('asks before enabling a feature still under development', async () => {
    const unstable = (await probeOf(OTHER_HOME)).features!.find((f) => f.stage === 'under development' && !f.enabled)!;
    expect(unstable).toBeDefined();
    const asked = await changeFeature(OTHER_HOME, { name: unstable.name, enabled: true, confirmUnstable: false }, operator);
    expect(asked).toMatchObject({ status: 'confirm-unstable', stage: 'under development' });
    const done = await changeFeature(OTHER_HOME, { name: unstable.name, enabled: true, confirmUnstable: true }, operator);
    expect(done).toMatchObject({ status: 'changed', enabled: true });
    expect((await probeOf(OTHER_HOME)).features!.find((f) => f.name === unstable.name)!.enabled).toBe(true);
  });
});

describe('restart', () => {
  it('restarts with the kubectl patch, does not patch again while it runs, and follows it to ready', async () => {
    const first = await restartAgent(RESTART, operator);
    expect(first.status).toBe('restarting');
    const second = await restartAgent(RESTART, operator);
    expect(second.status).toBe('already-restarting');
    const phases = new Set<string>();
    const status = await until(
      async () => {
        const s = await agentRolloutStatus(RESTART);
        if (!s.done) phases.add(s.phase);
        return s;
      },
      (s) => s.done,
      45_000,
      150,
    );
    expect(status).toMatchObject({ phase: 'ready', done: true, failed: false });
    expect(status.restartedAt).toBe(first.status === 'restarting' ? first.restartedAt : null);
    expect(phases.has('terminating-old') || phases.has('pending') || phases.has('starting')).toBe(true);
    // One patch, and its outcome recorded once, however often the status was read.
    const history = await listAgentHistory(getCluster(CTX), RESTART.namespace, RESTART.name);
    expect(history.filter((h) => h.action === 'restart').map((h) => [h.result, h.user])).toEqual([
      ['success', 'olivia'],
      ['started', 'olivia'],
    ]);
    expect(history[0].message).toMatch(/restart success.*running and ready/);
  });

  it('restarts several agents, each on its own, and reports an unknown one without stopping the rest', async () => {
    const items = await restartAgents([MANUAL, ref('agents', 'no-such-agent'), ref('agents', 'openab-kiro')], operator);
    expect(items[0]).toMatchObject({ ok: true, result: { status: 'restarting' } });
    expect(items[1]).toMatchObject({ ok: false });
    expect(!items[1].ok && items[1].error).toMatch(/no Codex agent agents\/no-such-agent/);
    // Not a Codex agent: the selector keeps it out of reach.
    expect(items[2]).toMatchObject({ ok: false });
    const status = await rolloutUntil(MANUAL, (s) => s.done);
    expect(status.phase).toBe('ready');
  });
});

describe('a restart that fails', () => {
  it('reports a crash-looping new pod as the reason', async () => {
    const settle = (done: (s: RolloutStatus) => boolean) => rolloutUntil(RESTART, done, 250);
    await settle((s) => s.done);
    await control.crashloop(RESTART.namespace, RESTART.name, true);
    try {
      // The running pod crash-loops: restarting it is allowed (that is what restarts are for).
      expect(await settle((s) => s.failed)).toMatchObject({ phase: 'failed' });
      const started = await restartAgent(RESTART, operator);
      expect(started.status).toBe('restarting');
      const restartedAt = started.status === 'restarting' ? started.restartedAt : '';
      const status = await settle((s) => s.done && s.restartedAt === restartedAt);
      expect(status).toMatchObject({ phase: 'failed', failed: true });
      expect(status.message).toMatch(/crash-looping/);
      const [outcome] = await listAgentHistory(getCluster(CTX), RESTART.namespace, RESTART.name);
      expect(outcome).toMatchObject({ action: 'restart', result: 'failure', warning: true, after: { restartedAt } });
      expect(outcome.message).toMatch(/crash-looping/);
    } finally {
      await control.crashloop(RESTART.namespace, RESTART.name, false);
    }
  });
});

describe('access', () => {
  it('disables actions with the reason for a low role, and asks the cluster for operators', async () => {
    const viewer = await agentActionAccess(getCluster(CTX), MANUAL.namespace, MANUAL.name, 'viewer');
    expect(viewer.restart).toMatchObject({ allowed: false });
    expect(viewer.restart.reason).toMatch(/needs the Operator role.*Viewer/);
    expect(viewer.editConfig.reason).toMatch(/needs the Operator role/);
    expect(await agentActionAccess(getCluster(CTX), MANUAL.namespace, MANUAL.name, 'operator')).toEqual({
      restart: { allowed: true },
      editConfig: { allowed: true },
    });
    const refused = await agentActionAccess(getCluster('viewer@devcluster'), MANUAL.namespace, MANUAL.name, 'admin');
    expect(refused.restart).toMatchObject({ allowed: false });
    expect(refused.restart.reason).toMatch(/does not allow the dashboard to patch deployments/);
    expect(refused.editConfig.reason).toMatch(/pods\/exec/);
  });
});

describe("configs written per OpenAB's guide, repaired through the pod by its own Codex", () => {
  let original: { text: string; exists: boolean };
  beforeAll(async () => {
    original = await configBytes(SCRATCH_AGENT);
  });
  afterAll(async () => {
    await putConfig(SCRATCH_AGENT, original.exists ? original.text : null);
  });

  it('flags the ignored [sandbox] table, and one repair writes the keys Codex reads and removes the table', async () => {
    await putConfig(SCRATCH_AGENT, '# per the guide\nmodel = "gpt-5.5"\n\n[sandbox]\napproval_policy = "auto-review"\n');
    resetProbeCacheForTests();
    expect((await probeOf(SCRATCH_AGENT)).approval).toMatchObject({
      ok: true,
      mode: 'default',
      guideMistake: { kind: 'sandbox-table', meant: 'auto-review' },
    });
    const form = await readApprovalForm(SCRATCH_AGENT);
    expect(form).toMatchObject({
      ok: true,
      mode: 'default',
      guideMistake: { kind: 'sandbox-table', meant: 'auto-review', explanation: expect.stringMatching(/not on Auto-review/) },
    });
    const hash = (form as { hash: string }).hash;
    const done = await changeApprovalMode(
      SCRATCH_AGENT,
      { mode: 'auto-review', baseHash: hash, replaceCustom: false, repairGuide: true },
      operator,
    );
    expect(done).toMatchObject({ status: 'changed', after: 'auto-review' });
    expect(parse((await configBytes(SCRATCH_AGENT)).text)).toEqual({
      model: 'gpt-5.5',
      approval_policy: 'on-request',
      approvals_reviewer: 'auto_review',
    });
    const probe = await probeOf(SCRATCH_AGENT);
    expect(probe.codexError).toBeNull();
    expect(probe.approval).toMatchObject({ ok: true, mode: 'auto-review' });
    expect(probe.approval).not.toHaveProperty('guideMistake', expect.anything());
  });

  it("names the guide's value that stops Codex, and the repair in place makes Codex start again", async () => {
    await putConfig(SCRATCH_AGENT, 'approval_policy = "auto-review"\nmodel = "gpt-5.5"\n');
    resetProbeCacheForTests();
    const before = await probeOf(SCRATCH_AGENT);
    expect(before.codexError).not.toBeNull();
    expect(before.approval).toMatchObject({ ok: true, mode: 'custom', guideMistake: { kind: 'invalid-policy', meant: 'auto-review' } });
    const form = await readApprovalForm(SCRATCH_AGENT);
    const hash = (form as { hash: string }).hash;
    // Without the repair flag it is a custom setting like any other: asked first.
    expect((await changeApprovalMode(SCRATCH_AGENT, { mode: 'auto-review', baseHash: hash, replaceCustom: false }, operator)).status).toBe(
      'confirm-custom',
    );
    const done = await changeApprovalMode(
      SCRATCH_AGENT,
      { mode: 'auto-review', baseHash: hash, replaceCustom: false, repairGuide: true },
      operator,
    );
    expect(done).toMatchObject({ status: 'changed', before: 'custom', after: 'auto-review' });
    expect(parse((await configBytes(SCRATCH_AGENT)).text)).toEqual({
      approval_policy: 'on-request',
      approvals_reviewer: 'auto_review',
      model: 'gpt-5.5',
    });
    expect((await probeOf(SCRATCH_AGENT)).codexError).toBeNull();
  });

  it('reads an agent on the older reviewer name as Auto-review, and leaves it as it is when Auto-review is chosen', async () => {
    await putConfig(SCRATCH_AGENT, 'approval_policy = "on-request"\napprovals_reviewer = "guardian_subagent"\n');
    const form = await readApprovalForm(SCRATCH_AGENT);
    expect(form).toMatchObject({ ok: true, mode: 'auto-review' });
    const same = await changeApprovalMode(
      SCRATCH_AGENT,
      { mode: 'auto-review', baseHash: (form as { hash: string }).hash, replaceCustom: false },
      operator,
    );
    expect(same.status).toBe('unchanged');
  });
});
