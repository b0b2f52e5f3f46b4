import 'server-only';
import { invalidateProbe } from '../fleet/probe';
import { UserFacingError } from '../errors';
import { readApprovalSettings, setApprovalMode } from '../codex/config';
import {
  describeApprovalMode,
  describeGuideMistake,
  type ApprovalMode,
  type AutoReviewer,
  type GuideMistake,
} from '../codex/approval-modes';
import { readPodConfig, writePodConfig, type PodConfig, type WriteOutcome } from './pod-config';
import { findAgentPod } from './target';
import { record, type Actor } from './activity';
import { agentLabel, type AgentRef } from './agent-ref';

export type CurrentMode = ApprovalMode | 'custom' | 'default';

/** What the approval form is opened with. */
export type ApprovalFormState =
  | {
      ok: true;
      mode: CurrentMode;
      /** OpenAB's guide followed where Codex ignores or refuses it, with what it means in words. */
      guideMistake: (GuideMistake & { explanation: string }) | null;
      /** The approval keys as they are, for a custom setting shown as is. */
      keys: { approvalPolicy: unknown; approvalsReviewer: string | null; sandboxMode: string | null };
      configExists: boolean;
      /** The compare-and-swap token: the file's hash when the form was opened. */
      hash: string;
    }
  | { ok: false; error: string };

/** When a new approval mode applies (Codex reads config.toml when a session starts). */
export const TAKES_EFFECT =
  'Codex reads config.toml when a session starts: new conversations use the new mode; conversations already running keep the old one until the agent restarts.';

export async function readApprovalForm(ref: AgentRef): Promise<ApprovalFormState> {
  try {
    const target = await findAgentPod(ref);
    const config = await readPodConfig(target);
    const settings = readApprovalSettings(config.text);
    if (!settings.ok)
      return {
        ok: false,
        error: `${settings.error}. Fix config.toml by hand first; the dashboard does not edit a file Codex cannot read.`,
      };
    return {
      ok: true,
      mode: settings.mode,
      guideMistake: settings.guideMistake ? { ...settings.guideMistake, explanation: describeGuideMistake(settings.guideMistake) } : null,
      keys: {
        approvalPolicy: settings.approvalPolicy ?? null,
        approvalsReviewer: settings.approvalsReviewer ?? null,
        sandboxMode: settings.sandboxMode ?? null,
      },
      configExists: config.exists,
      hash: config.hash,
    };
  } catch (err) {
    return { ok: false, error: err instanceof UserFacingError ? err.message : 'config.toml could not be read.' };
  }
}

export interface ApprovalChangeRequest {
  mode: ApprovalMode;
  /** The hash the form was opened on. */
  baseHash: string;
  /** The user confirmed replacing a custom setting. */
  replaceCustom: boolean;
  /**
   * Repair a config written per OpenAB's guide: the mode's real keys, and the dead `[sandbox]`
   * table removed (replacing a refused top-level value needs no other confirmation).
   */
  repairGuide?: boolean;
}

export type ApprovalChangeResult =
  | { status: 'changed'; before: CurrentMode; after: ApprovalMode; hash: string; message: string }
  | { status: 'unchanged'; mode: ApprovalMode; hash: string; message: string }
  | { status: 'conflict'; current: CurrentMode; hash: string; message: string }
  | { status: 'confirm-custom'; current: CurrentMode; hash: string; message: string };

const conflictMessage = (current: CurrentMode) =>
  `config.toml changed since this form was opened (it is now ${describeApprovalMode(current)}). Nothing was written; your choice is still selected: check it and save again.`;

/**
 * Switches an agent's approval mode: a surgical edit of config.toml, compare-and-swap on the
 * hash the form was opened on, written atomically in the pod and checked by Codex.
 */
export async function changeApprovalMode(ref: AgentRef, req: ApprovalChangeRequest, actor: Actor): Promise<ApprovalChangeResult> {
  const target = await findAgentPod(ref);
  const config = await readPodConfig(target);
  const settings = readApprovalSettings(config.text);
  if (!settings.ok) {
    throw new UserFacingError(
      `The approval mode was not changed: ${settings.error}. Fix config.toml by hand first (Codex cannot read it either).`,
    );
  }
  const before = settings.mode;
  const repair = Boolean(req.repairGuide && settings.guideMistake);
  if (config.hash !== req.baseHash) return { status: 'conflict', current: before, hash: config.hash, message: conflictMessage(before) };
  if (before === 'custom' && !req.replaceCustom && !repair) {
    return {
      status: 'confirm-custom',
      current: before,
      hash: config.hash,
      message: 'This agent has a custom approval setting. Replacing it loses that setting: confirm to go on.',
    };
  }
  if (before === req.mode && !repair)
    return {
      status: 'unchanged',
      mode: req.mode,
      hash: config.hash,
      message: `${agentLabel(ref)} is already on ${describeApprovalMode(req.mode)}.`,
    };

  const audit = { action: 'approval-mode', before, after: req.mode };
  let written = await writeMode(target, config, req.mode, { dropSandboxTable: repair });
  // Codex 0.121 and older know the reviewer only by its older name: the pod's own Codex says
  // so when it refuses the file (which the write script has already put back).
  if (written.status === 'refused-by-codex' && written.refusedReviewerName) {
    written = await writeMode(target, config, req.mode, { dropSandboxTable: repair, autoReviewer: 'guardian_subagent' });
  }
  invalidateProbe(target.cluster.id, target.pod.uid);
  if (written.status === 'conflict') {
    const now = await readPodConfig(target).catch(() => null);
    const current = now ? readApprovalSettings(now.text) : null;
    const mode = current?.ok ? current.mode : before;
    await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: 'config.toml changed meanwhile (compare-and-swap)' });
    return { status: 'conflict', current: mode, hash: now?.hash ?? config.hash, message: conflictMessage(mode) };
  }
  if (written.status === 'refused-by-codex') {
    await record(target.cluster, actor, ref, {
      ...audit,
      result: 'failure',
      detail: `Codex refused the new config.toml: ${written.error}`,
    });
    throw new UserFacingError(`Codex refused the new config.toml, so the previous file was put back. Codex said: ${written.error}`);
  }
  await record(target.cluster, actor, ref, {
    ...audit,
    result: 'success',
    ...(repair
      ? { detail: "repaired a config written per OpenAB's guide (the keys Codex reads; the ignored [sandbox] table removed)" }
      : {}),
  });
  return {
    status: 'changed',
    before,
    after: req.mode,
    hash: written.hash,
    message: `${agentLabel(ref)} is now on ${describeApprovalMode(req.mode)}${repair ? ", written with the keys Codex reads (the guide's [sandbox] table is gone)" : ''}. ${TAKES_EFFECT}`,
  };
}

/** The mode's edit of the file as it was read, written with compare-and-swap on its hash. */
async function writeMode(
  target: Awaited<ReturnType<typeof findAgentPod>>,
  config: PodConfig,
  mode: ApprovalMode,
  options: { dropSandboxTable: boolean; autoReviewer?: AutoReviewer },
): Promise<WriteOutcome> {
  const edited = setApprovalMode(config.text, mode, options);
  if ('error' in edited) throw new UserFacingError(`The approval mode was not changed: ${edited.error}.`);
  return writePodConfig(target, config.hash, edited.text);
}
