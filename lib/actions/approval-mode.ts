import 'server-only';
import { invalidateProbe } from '../fleet/probe';
import { UserFacingError } from '../auth/guard';
import { describeApprovalMode, readApprovalSettings, setApprovalMode, type ApprovalMode } from '../codex/config';
import { readPodConfig, writePodConfig } from './pod-config';
import { findAgentPod } from './target';
import { record, type Actor } from './activity';
import { agentLabel, type AgentRef } from './agent-ref';

export type CurrentMode = ApprovalMode | 'custom' | 'default';

/** What the approval form is opened with. */
export type ApprovalFormState =
  | {
      ok: true;
      mode: CurrentMode;
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
    if (!settings.ok) return { ok: false, error: `${settings.error}. Fix config.toml by hand first; the dashboard does not edit a file Codex cannot read.` };
    return {
      ok: true,
      mode: settings.mode,
      keys: { approvalPolicy: settings.approvalPolicy ?? null, approvalsReviewer: settings.approvalsReviewer ?? null, sandboxMode: settings.sandboxMode ?? null },
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
    throw new UserFacingError(`The approval mode was not changed: ${settings.error}. Fix config.toml by hand first (Codex cannot read it either).`);
  }
  const before = settings.mode;
  if (config.hash !== req.baseHash) return { status: 'conflict', current: before, hash: config.hash, message: conflictMessage(before) };
  if (before === 'custom' && !req.replaceCustom) {
    return { status: 'confirm-custom', current: before, hash: config.hash, message: 'This agent has a custom approval setting. Replacing it loses that setting: confirm to go on.' };
  }
  if (before === req.mode) return { status: 'unchanged', mode: req.mode, hash: config.hash, message: `${agentLabel(ref)} is already on ${describeApprovalMode(req.mode)}.` };

  const edited = setApprovalMode(config.text, req.mode);
  if ('error' in edited) throw new UserFacingError(`The approval mode was not changed: ${edited.error}.`);

  const written = await writePodConfig(target, config.hash, edited.text);
  invalidateProbe(target.cluster.id, target.pod.uid);
  const audit = { action: 'approval-mode', before, after: req.mode };
  if (written.status === 'conflict') {
    const now = await readPodConfig(target).catch(() => null);
    const current = now ? readApprovalSettings(now.text) : null;
    const mode = current?.ok ? current.mode : before;
    await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: 'config.toml changed meanwhile (compare-and-swap)' });
    return { status: 'conflict', current: mode, hash: now?.hash ?? config.hash, message: conflictMessage(mode) };
  }
  if (written.status === 'refused-by-codex') {
    await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: `Codex refused the new config.toml: ${written.error}` });
    throw new UserFacingError(`Codex refused the new config.toml, so the previous file was put back. Codex said: ${written.error}`);
  }
  await record(target.cluster, actor, ref, { ...audit, result: 'success' });
  return {
    status: 'changed',
    before,
    after: req.mode,
    hash: written.hash,
    message: `${agentLabel(ref)} is now on ${describeApprovalMode(req.mode)}. ${TAKES_EFFECT}`,
  };
}
