import 'server-only';
import { randomBytes } from 'node:crypto';
import type { Cluster } from '../k8s/clusters';
import type { PodSummary } from '../k8s/agents';
import type { AgentRef } from '../k8s/agent-ref';
import { locateAgent, noRunningPodReason } from '../k8s/locator';
import { codexErrorMessage } from '../codex/cli-output';
import { ClusterError } from '../k8s/errors';
import { runPodProgram } from '../pod/run';
import { lastHead, type Frame } from '../pod/frames';
import type { PodProgramName } from '../pod/invocation';
import { getSettings } from '../settings';
import { RUNNER_PROGRAM } from './scripts';
import { interpretLogin, splitReadOutput, type LoginSnapshot, type LoginStarter } from './login-state';

/** The agent a login runs in: its Deployment and the pod commands run in now. */
export interface LoginTarget {
  cluster: Cluster;
  namespace: string;
  name: string;
  container: string;
  /** null when no pod can run the login (the reason is in `problem`). */
  pod: PodSummary | null;
  problem: string | null;
}

export async function resolveLoginTarget(ref: AgentRef): Promise<LoginTarget> {
  const agent = await locateAgent(ref);
  const why = noRunningPodReason(agent);
  const problem = why ? `A login needs a running pod with Codex, and ${why}.` : null;
  return {
    cluster: agent.cluster,
    namespace: ref.namespace,
    name: ref.name,
    container: agent.container,
    pod: problem ? null : agent.pod,
    problem,
  };
}

function requirePod(target: LoginTarget): PodSummary {
  if (!target.pod) throw new ClusterError(target.problem ?? 'The agent has no running pod.', 'invalid', 409);
  return target.pod;
}

async function runLoginProgram(
  target: LoginTarget,
  program: PodProgramName,
  args: string[],
  timeoutMs: number,
  what: string,
): Promise<Frame[]> {
  const pod = requirePod(target);
  const { frames, stderr, exitCode } = await runPodProgram(
    { cluster: target.cluster, namespace: target.namespace, pod: pod.name, container: target.container },
    program,
    args,
    {
      timeoutMs,
      maxStdoutBytes: 512 * 1024,
    },
  );
  if (exitCode !== 0) {
    const said = codexErrorMessage(stderr)?.replace(/\n/g, '; ').slice(0, 200);
    const why = exitCode === 127 ? 'the container has no shell (sh)' : `exit ${exitCode}${said ? `: ${said}` : ''}`;
    throw new ClusterError(`Could not ${what} in pod ${pod.name} (${why}).`, 'other');
  }
  return frames;
}

/** The login's state, read from the pod's files in one exec. */
export async function readLogin(target: LoginTarget): Promise<LoginSnapshot> {
  const read = splitReadOutput(await runLoginProgram(target, 'login-read', [], 15_000, 'read the login state'));
  if (!read.complete) throw new ClusterError(`The login state in pod ${target.pod?.name} could not be read completely.`, 'other');
  return interpretLogin(read, getSettings().codexLoginIssuer);
}

export interface StartResult {
  /** false when a login was already under way: the snapshot is that one. */
  started: boolean;
  snapshot: LoginSnapshot;
}

/**
 * Starts `timeout 900 codex login --device-auth` detached in the pod, unless a
 * login is already running there (then that one is returned, same code).
 * Waits briefly for Codex to print its code so the caller can show it at once.
 */
export async function startLogin(target: LoginTarget, starter: LoginStarter, opts: { waitForCodeMs?: number } = {}): Promise<StartResult> {
  const pod = requirePod(target);
  const loginId = randomBytes(12).toString('hex');
  const who = JSON.stringify({ name: starter.name.slice(0, 200), email: starter.email?.slice(0, 200) ?? null, role: starter.role });
  const answer = lastHead(await runLoginProgram(target, 'login-start', [loginId, pod.uid, who, RUNNER_PROGRAM], 25_000, 'start the login'));
  if (answer.startsWith('error '))
    throw new ClusterError(`The login could not start in pod ${pod.name}: ${answer.slice(6, 300)}.`, 'other');
  if (answer === 'busy')
    throw new ClusterError('Another login is being started on this agent right now. Wait a moment and reload.', 'conflict', 409);
  if (answer !== 'started' && answer !== 'existing') throw new ClusterError(`The login start in pod ${pod.name} gave no answer.`, 'other');
  const started = answer === 'started';
  const deadline = Date.now() + (opts.waitForCodeMs ?? 8_000);
  let snapshot = await readLogin(target);
  while (snapshot.phase === 'starting' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    snapshot = await readLogin(target);
  }
  return { started, snapshot };
}

export interface CancelResult {
  outcome: 'cancelled' | 'none' | 'other' | 'finished';
  /** Processes of the login still alive after the kill (0 when it worked). */
  processesLeft: number;
}

/** Stops login `loginId` in the pod: its whole session, then any stray device login. */
export async function cancelLogin(target: LoginTarget, loginId: string): Promise<CancelResult> {
  const answer = lastHead(await runLoginProgram(target, 'login-cancel', [loginId], 20_000, 'cancel the login'));
  const m = /^cancelled (\d+)$/.exec(answer);
  if (m) return { outcome: 'cancelled', processesLeft: Number(m[1]) };
  if (answer === 'none' || answer === 'other' || answer === 'finished') return { outcome: answer, processesLeft: 0 };
  throw new ClusterError('The pod gave no answer to the cancel.', 'other');
}

/** One-time steps after a login ends; the claim makes exactly one replica or browser act. */
export type LoginStep = 'recorded' | 'restart';

export async function claimLoginStep(
  target: LoginTarget,
  loginId: string,
  step: LoginStep,
  note: string,
): Promise<'claimed' | 'taken' | 'gone'> {
  const answer = lastHead(
    await runLoginProgram(target, 'login-claim', [loginId, step, note.slice(0, 300)], 15_000, 'record the login step'),
  );
  if (answer === 'claimed' || answer === 'taken' || answer === 'gone') return answer;
  throw new ClusterError('The pod gave no answer to the claim.', 'other');
}
