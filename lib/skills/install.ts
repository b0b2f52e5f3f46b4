import 'server-only';
// Installs the delivery skill in an agent's Codex home, atomically and compare-and-swap: a skill
// someone changed by hand is replaced only after the user saw the difference and confirmed
// exactly that state.
import { UserFacingError } from '../errors';
import { findAgentPod, runInAgentPod, type AgentPodTarget } from '../operations/target';
import { record, type Actor } from '../operations/activity';
import { agentLabel, type AgentRef } from '../operations/agent-ref';
import { lastHead } from '../pod/frames';
import { podErrorCode, podErrorWords } from '../pod/errors';
import { invalidatePodFacts } from '../readiness/service';
import { DELIVERY_SKILL_DIR, PREVIOUS_SKILL, UPLOAD_SCRIPT_PATH } from './delivery-skill';
import { deliveryBundle, planInstall, type FolderState } from './install-plan';
import { sha256 } from './list';
import { MAX_MANAGED_FILE, parseSkillRead, type SkillFolderRead } from './pod-scripts';

const EXEC_TIMEOUT_MS = 30_000;

export type InstallResult =
  | { status: 'installed'; message: string }
  | { status: 'unchanged'; message: string }
  | { status: 'confirm'; message: string; diff: string; state: FolderState };

async function readSkillFolder(
  target: AgentPodTarget,
  skill: { dir: string; scriptPath: string } = { dir: DELIVERY_SKILL_DIR, scriptPath: UPLOAD_SCRIPT_PATH },
): Promise<SkillFolderRead> {
  const out = await runInAgentPod(target, 'skill-read', [skill.dir, skill.scriptPath], {
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: 4 * MAX_MANAGED_FILE,
  });
  const read = parseSkillRead(out.frames, skill.scriptPath);
  if (!read)
    throw new UserFacingError(`The skills folder of ${agentLabel(target.ref)} could not be read (exit ${out.exitCode}). Try again.`);
  for (const f of Object.values(read.files)) {
    if (f.state === 'present' && sha256(f.text) !== f.sha)
      throw new UserFacingError('A skill file is not UTF-8 text or changed while it was read; check it by hand.');
  }
  return read;
}

const sameState = (a: FolderState, b: FolderState) => a.skillSha === b.skillSha && a.scriptSha === b.scriptSha;

/**
 * Installs (or updates) the delivery skill. `confirmed` is the folder state the user saw in the
 * difference and agreed to replace; without it, a hand-changed skill is answered with the diff.
 */
export async function installDeliverySkill(ref: AgentRef, confirmed: FolderState | null, actor: Actor): Promise<InstallResult> {
  const target = await findAgentPod(ref);
  const bundle = deliveryBundle();
  const [read, previous] = await Promise.all([readSkillFolder(target), readSkillFolder(target, PREVIOUS_SKILL)]);
  const plan = planInstall(read, bundle, previous);
  const where = `skills/${DELIVERY_SKILL_DIR}`;
  if (plan.kind === 'refuse') throw new UserFacingError(plan.reason);
  if (plan.kind === 'up-to-date')
    return { status: 'unchanged', message: `${agentLabel(ref)} already has the dashboard's delivery skill in ${where}.` };
  if (plan.kind === 'confirm' && !(confirmed && sameState(confirmed, plan.state))) {
    return {
      status: 'confirm',
      message: confirmed ? `${where} changed again since you looked at it. Check the difference below and confirm again.` : plan.reason,
      diff: plan.diff,
      state: plan.state,
    };
  }
  const upgrade = plan.kind === 'confirm' && plan.upgrade === true;
  // An upgrade puts the new skill into an empty place: the state the user saw is the previous one's.
  const expected = upgrade ? { skillSha: 'missing', scriptSha: 'missing' } : plan.state;
  const parts = [bundle.skillMd, bundle.script, bundle.record].map((t) => Buffer.from(t, 'utf8'));
  const out = await runInAgentPod(
    target,
    'skill-install',
    [DELIVERY_SKILL_DIR, UPLOAD_SCRIPT_PATH, expected.skillSha, expected.scriptSha, ...parts.map((p) => String(p.length))],
    {
      input: Buffer.concat(parts),
      timeoutMs: EXEC_TIMEOUT_MS,
      maxStdoutBytes: 64 * 1024,
    },
  );
  invalidatePodFacts(target.cluster.id, target.pod.uid);
  const status = lastHead(out.frames);
  const audit = {
    action: 'install-delivery-skill',
    before: upgrade
      ? `skills/${PREVIOUS_SKILL.dir}`
      : plan.kind === 'install' && !plan.update
        ? 'absent'
        : plan.kind === 'confirm'
          ? 'changed by hand'
          : 'older version',
    after: 'installed',
  };
  if (status === 'OK' && out.exitCode === 0) {
    const removed = upgrade ? await removePreviousSkill(target, plan.state) : null;
    await record(target.cluster, actor, ref, { ...audit, result: 'success', detail: removed ? `${where}; ${removed}` : where });
    return {
      status: 'installed',
      message: `Installed the delivery skill in ${where} of ${agentLabel(ref)}.${removed ? ` ${removed}` : ''} New Codex sessions load it; running ones pick it up when they restart.`,
    };
  }
  const reason = podErrorCode(status) ?? '';
  await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: `${where}: ${reason || `exit ${out.exitCode}`}` });
  if (reason === 'conflict') {
    const again = await installDeliverySkill(ref, null, actor).catch(() => null);
    if (again?.status === 'confirm')
      return { ...again, message: `${where} changed while the skill was being installed; nothing was written. ${again.message}` };
    throw new UserFacingError(`${where} changed while the skill was being installed; nothing was written. Try again.`);
  }
  const words = podErrorWords(reason, { what: where, where: "The agent's Codex home" });
  if (words) throw new UserFacingError(words);
  throw new UserFacingError(`Installing the skill in pod ${target.pod.name} failed (exit ${out.exitCode}).`);
}

/** Removes the previous skill's folder if it still holds what the user saw; says what happened. */
async function removePreviousSkill(target: AgentPodTarget, seen: FolderState): Promise<string> {
  const where = `skills/${PREVIOUS_SKILL.dir}`;
  const out = await runInAgentPod(target, 'skill-remove', [PREVIOUS_SKILL.dir, PREVIOUS_SKILL.scriptPath, seen.skillSha, seen.scriptSha], {
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: 64 * 1024,
  });
  invalidatePodFacts(target.cluster.id, target.pod.uid);
  const status = lastHead(out.frames);
  if (status === 'OK' || status === 'GONE') return `The previous skill (${where}) was removed.`;
  const code = podErrorCode(status);
  const why =
    code === 'conflict'
      ? 'it changed since you looked'
      : (podErrorWords(code, { what: where, where: "The agent's skills folder" }) ?? `exit ${out.exitCode}`);
  return `The previous skill (${where}) was NOT removed (${why}); remove it by hand so Codex does not follow both.`;
}
