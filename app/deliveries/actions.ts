'use server';
import { z } from 'zod';
import { defineAction } from '@/lib/auth/guard';
import { agentRefSchema } from '@/lib/k8s/agent-ref';
import { BULK_RESEND_MAX, resendMany } from '@/lib/deliveries/bulk-resend';
import { IMAGE_NAME_PATTERN, SNOWFLAKE_PATTERN } from '@/lib/images/paths';

const item = agentRefSchema.extend({
  id: z.string().min(1).max(600),
  image: z.string().regex(IMAGE_NAME_PATTERN, 'The image must be <session>/<file>.'),
  target: z.string().trim().regex(SNOWFLAKE_PATTERN, 'The target must be a Discord channel or thread id (17 to 20 digits).'),
});

const input = z.object({
  items: z.array(item).min(1, 'Select at least one delivery.').max(BULK_RESEND_MAX, `At most ${BULK_RESEND_MAX} deliveries at once.`),
});

/** Re-sends the selected failed deliveries, each with its own result (and audit entry). */
export const resendManyAction = defineAction({ name: 'deliveries.resend-many', role: 'support', input }, async (data, user) =>
  resendMany(
    data.items.map((i) => ({
      id: i.id,
      ref: { clusterId: i.clusterId, namespace: i.namespace, name: i.name },
      image: i.image,
      target: i.target,
    })),
    { name: user.name, email: user.email, role: user.role },
  ),
);
