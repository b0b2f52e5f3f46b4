'use server';
import { z } from 'zod';
import { defineAction, UserFacingError } from '@/lib/auth/guard';
import { agentRefSchema } from '@/lib/operations/agent-ref';
import { resendImage, ResendError } from '@/lib/deliveries/resend';
import { ClusterError } from '@/lib/k8s/errors';
import { IMAGE_NAME_PATTERN, SNOWFLAKE_PATTERN } from '@/lib/images/paths';

const input = agentRefSchema.extend({
  image: z.string().regex(IMAGE_NAME_PATTERN, 'The image must be <session>/<file>.'),
  target: z.string().trim().regex(SNOWFLAKE_PATTERN, 'The target must be a Discord channel or thread id (17 to 20 digits).'),
  message: z.string().max(2000, 'The message can have at most 2000 characters.').optional().default(''),
});

export const resendImageAction = defineAction({ name: 'images.resend', role: 'support', input }, async (data, user) => {
  try {
    return await resendImage({
      ref: { clusterId: data.clusterId, namespace: data.namespace, name: data.name },
      image: data.image,
      target: data.target,
      message: data.message,
      user: { name: user.name, email: user.email, role: user.role },
    });
  } catch (err) {
    if (err instanceof ResendError || err instanceof ClusterError) throw new UserFacingError(err.message);
    throw err;
  }
});
