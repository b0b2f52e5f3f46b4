import 'server-only';
import type { LoginState } from '../codex/auth';
import type { AgentRef } from '../k8s/agent-ref';
import { logActivity, type ActivityEntry } from '../audit/log-activity';
import { invalidateProbe, probeAgent } from '../fleet/probe';
import { toClusterError } from '../k8s/errors';
import { UserFacingError } from '../errors';
import { readRolloutStatus, restartDeployment } from '../k8s/rollout';
import { cancelLogin, claimLoginStep, readLogin, resolveLoginTarget, startLogin, type LoginTarget } from './device-login';
import { explainLostLogin, NO_LOGIN, type LoginSnapshot } from './login-state';
import type { AgentLoginSummary, LoginView } from './login-view';

/** The signed-in user as the audit record wants it. */
export interface Actor {
  name: string;
  email: string | null;
  role: string;
}

export type { AgentRef };

/** A failure of a device login, meant for the person who clicked. */
export class LoginError extends UserFacingError {
  static override readonly brand: string = 'LoginError';
}

export function loginSummary(login: LoginState): AgentLoginSummary {
  switch (login.kind) {
    case 'chatgpt':
      return {
        kind: login.kind,
        label: ['ChatGPT', login.email, login.plan && `(${login.plan})`].filter(Boolean).join(' '),
        email: login.email ?? null,
      };
    case 'apikey':
      return { kind: login.kind, label: `API key ${login.masked}`, email: null };
    case 'not-logged-in':
      return { kind: login.kind, label: 'Not logged in', email: null };
    case 'unreadable':
      return { kind: login.kind, label: 'auth.json unreadable', email: null };
    case 'other':
      return { kind: login.kind, label: `Logged in (${login.mode})`, email: null };
  }
}

async function target(ref: AgentRef): Promise<LoginTarget> {
  try {
    return await resolveLoginTarget(ref);
  } catch (err) {
    throw toClusterError(err, `reading ${ref.namespace}/${ref.name}`);
  }
}

function requireRunningPod(t: LoginTarget): asserts t is LoginTarget & { pod: NonNullable<LoginTarget['pod']> } {
  if (!t.pod) throw new LoginError(t.problem ?? 'The agent has no running pod.', 'unavailable');
}

/** What the cluster client throws raw is named after the step it failed in (the one translator then passes it on). */
async function plainly<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    throw toClusterError(err, what);
  }
}

async function agentLogin(t: LoginTarget, maxAgeMs?: number): Promise<AgentLoginSummary | null> {
  if (!t.pod) return null;
  try {
    const probe = await probeAgent(
      { cluster: t.cluster, namespace: t.namespace, pod: t.pod.name, podUid: t.pod.uid, container: t.container },
      { maxAgeMs },
    );
    return loginSummary(probe.login);
  } catch {
    return null;
  }
}

function audit(t: LoginTarget, user: Actor, action: string, result: ActivityEntry['result'], detail?: string): Promise<void> {
  return logActivity(t.cluster, { user, action, agent: { cluster: t.cluster.id, namespace: t.namespace, name: t.name }, result, detail });
}

/**
 * Writes a finished login's outcome to the audit record once (whichever replica
 * sees it first claims it in the pod), attributed to whoever started it.
 */
async function recordOutcome(t: LoginTarget, s: LoginSnapshot): Promise<void> {
  if (!t.pod || !s.loginId || s.recorded || (s.phase !== 'succeeded' && s.phase !== 'failed')) return;
  if (s.phase === 'succeeded') invalidateProbe(t.cluster.id, t.pod.uid);
  const claim = await claimLoginStep(t, s.loginId, 'recorded', new Date().toISOString());
  if (claim !== 'claimed') return;
  s.recorded = true;
  const who = s.startedBy ?? { name: 'unknown', email: null, role: 'unknown' };
  if (s.phase === 'succeeded') await audit(t, who, 'login', 'success', 'Device-code login succeeded.');
  else
    await audit(
      t,
      who,
      'login',
      'failure',
      `${s.failure?.text ?? 'The login failed.'}${s.failure?.message ? ` Codex: ${s.failure.message}` : ''}`,
    );
}

/**
 * The login as the browser follows it. `follow` is the login the browser was
 * showing (so a pod that restarted meanwhile is named, not shown as "no login").
 */
export async function getLoginView(
  ref: AgentRef,
  opts: { follow?: { loginId: string; podUid: string }; rollout?: boolean } = {},
): Promise<LoginView> {
  const t = await target(ref);
  return plainly('reading the login', async () => {
    let login: LoginSnapshot = t.pod ? await readLogin(t) : { ...NO_LOGIN };
    if (opts.follow) login = explainLostLogin(opts.follow, { snapshot: login, podUid: t.pod?.uid ?? null }) ?? login;
    await recordOutcome(t, login);
    const rollout = opts.rollout ? await readRolloutStatus(t.cluster, t.namespace, t.name) : null;
    const wantProbe = login.phase === 'succeeded' || (rollout?.done ?? false);
    return {
      pod: t.pod ? { name: t.pod.name, uid: t.pod.uid } : null,
      problem: t.problem,
      login,
      agentLogin: wantProbe ? await agentLogin(t, 2_000) : null,
      rollout,
    };
  });
}

export interface StartOutcome {
  /** false: a login was already under way, and this is it. */
  started: boolean;
  view: LoginView;
}

/**
 * Starts a device login, or returns the one under way. An agent that is
 * already logged in needs `replaceLogin` (the browser asked first).
 */
export async function startAgentLogin(ref: AgentRef, user: Actor, opts: { replaceLogin: boolean }): Promise<StartOutcome> {
  const t = await target(ref);
  requireRunningPod(t);
  return plainly('starting the login', async () => {
    const current = await readLogin(t);
    if (current.phase === 'starting' || current.phase === 'waiting') {
      return {
        started: false,
        view: { pod: { name: t.pod.name, uid: t.pod.uid }, problem: null, login: current, agentLogin: null, rollout: null },
      };
    }
    await recordOutcome(t, current);
    const before = await agentLogin(t);
    const loggedIn = Boolean(before && before.kind !== 'not-logged-in' && before.kind !== 'unreadable');
    if (loggedIn && !opts.replaceLogin) {
      throw new LoginError(
        `This agent is already logged in (${before!.label}). Confirm to replace it: Codex revokes the current login when a new one starts.`,
        'already-logged-in',
      );
    }
    const { started, snapshot } = await startLogin(t, user);
    if (started) {
      // Codex revokes and removes the current credentials as the new login starts.
      invalidateProbe(t.cluster.id, t.pod.uid);
      await audit(
        t,
        user,
        'login-start',
        'started',
        loggedIn ? 'Device-code login started; Codex revoked the previous login.' : 'Device-code login started.',
      );
    }
    return {
      started,
      view: { pod: { name: t.pod.name, uid: t.pod.uid }, problem: null, login: snapshot, agentLogin: null, rollout: null },
    };
  });
}

/** Stops the login in the pod and checks that none of its processes is left. */
export async function cancelAgentLogin(ref: AgentRef, user: Actor, loginId: string): Promise<LoginView> {
  const t = await target(ref);
  requireRunningPod(t);
  return plainly('cancelling the login', async () => {
    const result = await cancelLogin(t, loginId);
    if (result.outcome === 'cancelled') {
      await audit(
        t,
        user,
        'login-cancel',
        'cancelled',
        result.processesLeft ? `${result.processesLeft} process(es) did not stop.` : 'Device-code login cancelled.',
      );
      if (result.processesLeft > 0)
        throw new LoginError(
          `The login was cancelled, but ${result.processesLeft} of its processes did not stop in pod ${t.pod.name}. Restart the agent to end them.`,
        );
    }
    const login = await readLogin(t);
    await recordOutcome(t, login);
    if (result.outcome === 'other')
      throw new LoginError('That login is no longer the one under way on this agent. Reload to see the current one.', 'conflict');
    return { pod: { name: t.pod.name, uid: t.pod.uid }, problem: null, login, agentLogin: null, rollout: null };
  });
}

export interface RestartOutcome {
  /** false: another operator's browser (or replica) already restarted after this login. */
  claimed: boolean;
  restartedAt: string | null;
}

/** The restart after a successful login, once per login, so sessions pick the new login up. */
export async function restartAfterLogin(ref: AgentRef, user: Actor, loginId: string): Promise<RestartOutcome> {
  const t = await target(ref);
  requireRunningPod(t);
  return plainly('restarting after the login', async () => {
    const login = await readLogin(t);
    if (login.loginId !== loginId)
      throw new LoginError(
        'That login is gone from the pod (it restarted, or a new login started). Reload to see where the agent stands.',
        'conflict',
      );
    if (login.phase !== 'succeeded') throw new LoginError('The login has not succeeded, so there is nothing to restart for.');
    await recordOutcome(t, login);
    const claim = await claimLoginStep(t, loginId, 'restart', JSON.stringify({ by: user.name, at: new Date().toISOString() }));
    if (claim !== 'claimed') return { claimed: false, restartedAt: null };
    const { restartedAt } = await restartDeployment(t.cluster, t.namespace, t.name);
    await audit(t, user, 'restart', 'started', 'Restart after a device-code login.');
    return { claimed: true, restartedAt };
  });
}
