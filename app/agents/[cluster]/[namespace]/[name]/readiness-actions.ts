'use server';
import { z } from 'zod';
import { refreshAgentViews } from './refresh-views';
import { defineAction } from '@/lib/auth/guard';
import { agentRefSchema } from '@/lib/operations/agent-ref';
import { IMAGE_NAME_PATTERN } from '@/lib/images/paths';
import { installDeliverySkill } from '@/lib/skills/install';
import { copyImageToStablePath } from '@/lib/readiness/stable-image';

const SHA = /^([0-9a-f]{64}|missing)$/;

export const installDeliverySkillAction = defineAction(
  {
    name: 'install-delivery-skill',
    role: 'operator',
    input: agentRefSchema.extend({
      // The folder state the user saw in the difference and agreed to replace.
      confirmed: z
        .object({ skillSha: z.string().regex(SHA), scriptSha: z.string().regex(SHA) })
        .nullable()
        .default(null),
    }),
  },
  async ({ confirmed, ...ref }, user) => {
    const result = await installDeliverySkill(ref, confirmed, user);
    if (result.status === 'installed') {
      refreshAgentViews();
    }
    return result;
  },
);

export const copyImageToStablePathAction = defineAction(
  {
    name: 'copy-image-stable-path',
    role: 'operator',
    input: agentRefSchema.extend({
      image: z.string().regex(IMAGE_NAME_PATTERN, 'The image must be <session>/<file>.'),
      // Checked in words by lib (checkStableName); only the size is bounded here.
      target: z.string().max(200),
      replaceSha: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable()
        .default(null),
    }),
  },
  async ({ image, target, replaceSha, ...ref }, user) => copyImageToStablePath(ref, { image, name: target, replaceSha }, user),
);
