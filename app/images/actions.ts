'use server';
import { z } from 'zod';
import { defineAction } from '@/lib/auth/guard';
import { agentRefSchema } from '@/lib/operations/agent-ref';
import { resendImage } from '@/lib/deliveries/resend';
import { IMAGE_NAME_PATTERN, SNOWFLAKE_PATTERN } from '@/lib/images/paths';

const input = agentRefSchema.extend({
  image: z.string().regex(IMAGE_NAME_PATTERN, 'The image must be <session>/<file>.'),
  target: z.string().trim().regex(SNOWFLAKE_PATTERN, 'The target must be a Discord channel or thread id (17 to 20 digits).'),
  message: z.string().max(2000, 'The message can have at most 2000 characters.').optional().default(''),
});

export const resendImageAction = defineAction({ name: 'images.resend', role: 'support', input }, async (data, user) =>
  resendImage({
    ref: { clusterId: data.clusterId, namespace: data.namespace, name: data.name },
    image: data.image,
    target: data.target,
    message: data.message,
    user: { name: user.name, email: user.email, role: user.role },
  }),
);
