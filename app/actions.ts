'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/auth/guard';
import { isApprovalMode, type ApprovalMode } from '@/lib/codex/approval-modes';
import { agentRefSchema } from '@/lib/operations/agent-ref';
import { MAX_BULK_AGENTS } from '@/lib/operations/each-agent';
import { changeApprovalModes } from '@/lib/operations/bulk-approval';

// The overview's own actions. The overview refreshes itself from /api/fleet after a bulk
// action; the agent pages it changed are rendered afresh on their next visit.

export const bulkApprovalModeAction = defineAction(
  {
    name: 'bulk-set-approval-mode',
    role: 'operator',
    input: z.object({
      agents: z
        .array(agentRefSchema)
        .min(1, 'Select at least one agent.')
        .max(MAX_BULK_AGENTS, `Select at most ${MAX_BULK_AGENTS} agents at a time.`),
      mode: z.string().refine(isApprovalMode, 'Unknown approval mode: choose Manual, Auto-review or Full access.'),
      replaceCustom: z.boolean().default(false),
    }),
  },
  async ({ agents, mode, replaceCustom }, user) => {
    const items = await changeApprovalModes(agents, mode as ApprovalMode, { replaceCustom }, user);
    if (items.some((i) => i.ok && i.result.status === 'changed')) revalidatePath('/agents/[cluster]/[namespace]/[name]', 'page');
    return items;
  },
);
