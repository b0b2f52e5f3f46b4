import 'server-only';
// Installs the delivery skill in an agent's Codex home, atomically and compare-and-swap: a skill
// someone changed by hand is replaced only after the user saw the difference and confirmed
// exactly that state.
import { randomBytes } from 'node:crypto';
import { UserFacingError } from '../errors';
import { execInAgentPod, findAgentPod, type AgentPodTarget } from '../operations/target';
import { record, type Actor } from '../operations/activity';
import { agentLabel, type AgentRef } from '../operations/agent-ref';
import { lastStatusLine } from '../operations/pod-scripts';
import { invalidatePodFacts } from '../readiness/service';
import { DELIVERY_SKILL_DIR } from './delivery-skill';
import { deliveryBundle, planInstall, type FolderState } from './install-plan';
import { sha256 } from './list';
import { INSTALL_SKILL_SCRIPT, MAX_MANAGED_FILE, READ_SKILL_SCRIPT, parseSkillRead, type SkillFolderRead } from './pod-scripts';

const EXEC_TIMEOUT_MS = 30_000;

export type InstallResult =
  | { status: 'installed'; message: string }
  | { status: 'unchanged'; message: string }
  | { status: 'confirm'; message: string; diff: string; state: FolderState };

async function readSkillFolder(target: AgentPodTarget): Promise<SkillFolderRead> {
  const nonce = randomBytes(8).toString('hex');
  const out = await execInAgentPod(target, {
    argv: ['sh', '-c', READ_SKILL_SCRIPT, 'openab-read-skill', DELIVERY_SKILL_DIR, nonce],
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: 4 * MAX_MANAGED_FILE,
  });
  const read = parseSkillRead(out.stdout.toString('utf8'), nonce);
  if (!read) throw new UserFacingError(`The skills folder of ${agentLabel(target.ref)} could not be read (exit ${out.exitCode}). Try again.`);
  for (const f of Object.values(read.files)) {
    if (f.state === 'present' && sha256(f.text) !== f.sha) throw new UserFacingError('A skill file is not UTF-8 text or changed while it was read; check it by hand.');
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
  const read = await readSkillFolder(target);
  const plan = planInstall(read, bundle);
  const where = `skills/${DELIVERY_SKILL_DIR}`;
  if (plan.kind === 'refuse') throw new UserFacingError(plan.reason);
  if (plan.kind === 'up-to-date') return { status: 'unchanged', message: `${agentLabel(ref)} already has the dashboard's delivery skill in ${where}.` };
  if (plan.kind === 'confirm' && !(confirmed && sameState(confirmed, plan.state))) {
    return {
      status: 'confirm',
      message: confirmed ? `${where} changed again since you looked at it. Check the difference below and confirm again.` : plan.reason,
      diff: plan.diff,
      state: plan.state,
    };
  }
  const parts = [bundle.skillMd, bundle.script, bundle.record].map((t) => Buffer.from(t, 'utf8'));
  const out = await execInAgentPod(target, {
    argv: ['sh', '-c', INSTALL_SKILL_SCRIPT, 'openab-install-skill', DELIVERY_SKILL_DIR, plan.state.skillSha, plan.state.scriptSha, ...parts.map((p) => String(p.length))],
    stdin: Buffer.concat(parts),
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: 64 * 1024,
  });
  invalidatePodFacts(target.cluster.id, target.pod.uid);
  const status = lastStatusLine(out.stdout.toString('utf8'));
  const audit = { action: 'install-delivery-skill', before: plan.kind === 'install' && !plan.update ? 'absent' : plan.kind === 'confirm' ? 'changed by hand' : 'older version', after: 'installed' };
  if (status === 'OK' && out.exitCode === 0) {
    await record(target.cluster, actor, ref, { ...audit, result: 'success', detail: where });
    return { status: 'installed', message: `Installed the delivery skill in ${where} of ${agentLabel(ref)}. New Codex sessions load it; running ones pick it up when they restart.` };
  }
  const reason = status.startsWith('E ') ? status.slice(2).split(' ')[0] : '';
  await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: `${where}: ${reason || `exit ${out.exitCode}`}` });
  switch (reason) {
    case 'conflict': {
      const again = await installDeliverySkill(ref, null, actor).catch(() => null);
      if (again?.status === 'confirm') return { ...again, message: `${where} changed while the skill was being installed; nothing was written. ${again.message}` };
      throw new UserFacingError(`${where} changed while the skill was being installed; nothing was written. Try again.`);
    }
    case 'busy':
      throw new UserFacingError('Another skill install on this agent is still running. Try again in a moment.');
    case 'symlink':
      throw new UserFacingError(`${where} holds a symbolic link; the dashboard does not write through links. Remove it by hand first.`);
    case 'readonly':
    case 'nodir':
      throw new UserFacingError("The agent's Codex home is read-only or cannot be created; nothing was changed. Check the volume mount.");
    case 'write':
    case 'short':
      throw new UserFacingError("The skill could not be written (is the agent's volume full?); the previous files are unchanged.");
    case 'rename':
      throw new UserFacingError('The skill files could not be put in place; check the skills folder by hand.');
  }
  throw new UserFacingError(`Installing the skill in pod ${target.pod.name} failed (exit ${out.exitCode}).`);
}
