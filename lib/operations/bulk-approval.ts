import 'server-only';
import { describeApprovalMode, type ApprovalMode } from '../codex/approval-modes';
import { UserFacingError } from '../errors';
import type { Role } from '../auth/roles';
import type { Actor } from './activity';
import { agentActionAccess } from './access';
import { changeApprovalMode, readApprovalForm } from './approval-mode';
import { clusterFor } from './target';
import { forEachAgent, type BulkItem } from './each-agent';
import { agentLabel, type AgentRef } from './agent-ref';

export interface BulkApprovalResult {
  status: 'changed' | 'unchanged';
  message: string;
}

export type BulkApprovalItem = BulkItem<BulkApprovalResult>;

/**
 * Sets one approval mode on several agents, each through the single-agent change (the same
 * compare-and-swap edit, check by Codex and audit entry), after asking the cluster whether this
 * person may change that agent. A custom setting is replaced only when the person said so.
 */
export function changeApprovalModes(
  refs: AgentRef[],
  mode: ApprovalMode,
  opts: { replaceCustom: boolean },
  user: Actor & { role: Role },
): Promise<BulkApprovalItem[]> {
  return forEachAgent(
    refs,
    async (ref): Promise<BulkApprovalResult> => {
      const access = await agentActionAccess(clusterFor(ref), ref.namespace, ref.name, user.role);
      if (!access.editConfig.allowed) throw new UserFacingError(access.editConfig.reason ?? `You may not change ${agentLabel(ref)}.`);
      const form = await readApprovalForm(ref);
      if (!form.ok) throw new UserFacingError(form.error);
      const result = await changeApprovalMode(ref, { mode, baseHash: form.hash, replaceCustom: opts.replaceCustom }, user);
      switch (result.status) {
        case 'changed':
        case 'unchanged':
          return {
            status: result.status,
            message: result.status === 'changed' ? `Now on ${describeApprovalMode(mode)}.` : `Already on ${describeApprovalMode(mode)}.`,
          };
        case 'confirm-custom':
          throw new UserFacingError(
            'Not changed: this agent has a custom approval setting. Tick "Replace custom settings" to replace it, or change it on its page.',
          );
        case 'conflict':
          throw new UserFacingError(result.message);
      }
    },
    (ref) => `The approval mode of ${agentLabel(ref)} could not be changed.`,
  );
}
