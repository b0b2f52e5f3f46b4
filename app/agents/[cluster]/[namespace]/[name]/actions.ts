'use server';
import { z } from 'zod';
import { defineAction } from '@/lib/auth/guard';
import { isApprovalMode, type ApprovalMode } from '@/lib/codex/approval-modes';
import { agentRefSchema } from '@/lib/operations/agent-ref';
import { restartAgent, restartAgents, MAX_BULK_RESTART } from '@/lib/operations/restart';
import { changeApprovalMode } from '@/lib/operations/approval-mode';
import { changeFeature } from '@/lib/operations/feature-toggle';
import { refreshAgentViews } from './refresh-views';

export const restartAgentAction = defineAction({ name: 'restart-agent', role: 'operator', input: agentRefSchema }, async (ref, user) => {
  const result = await restartAgent(ref, user);
  refreshAgentViews();
  return result;
});

export const bulkRestartAction = defineAction(
  {
    name: 'bulk-restart-agents',
    role: 'operator',
    input: z.object({
      agents: z
        .array(agentRefSchema)
        .min(1, 'Select at least one agent.')
        .max(MAX_BULK_RESTART, `Select at most ${MAX_BULK_RESTART} agents at a time.`),
    }),
  },
  async ({ agents }, user) => {
    const items = await restartAgents(agents, user);
    refreshAgentViews();
    return items;
  },
);

export const setApprovalModeAction = defineAction(
  {
    name: 'set-approval-mode',
    role: 'operator',
    input: agentRefSchema.extend({
      mode: z.string().refine(isApprovalMode, 'Unknown approval mode: choose Manual, Auto-review or Full access.'),
      baseHash: z.string().regex(/^([0-9a-f]{64}|missing)$/, 'The form is out of date: reload the page.'),
      replaceCustom: z.boolean().default(false),
      repairGuide: z.boolean().default(false),
    }),
  },
  async ({ mode, baseHash, replaceCustom, repairGuide, ...ref }, user) => {
    const result = await changeApprovalMode(ref, { mode: mode as ApprovalMode, baseHash, replaceCustom, repairGuide }, user);
    if (result.status === 'changed') refreshAgentViews();
    return result;
  },
);

export const setFeatureAction = defineAction(
  {
    name: 'set-feature',
    role: 'operator',
    // The name is checked by lib/operations (shape, then Codex's own list), with a clear answer.
    input: agentRefSchema.extend({ feature: z.string().max(200), enabled: z.boolean(), confirmUnstable: z.boolean().default(false) }),
  },
  async ({ feature, enabled, confirmUnstable, ...ref }, user) => {
    const result = await changeFeature(ref, { name: feature, enabled, confirmUnstable }, user);
    if (result.status === 'changed') refreshAgentViews();
    return result;
  },
);
