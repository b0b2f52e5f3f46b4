import { z } from 'zod';
import { defineRoute } from '@/lib/auth/guard';
import { getLoginView } from '@/lib/login/login-service';
import { LOGIN_ID_PATTERN } from '@/lib/login/login-view';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  follow: z.string().regex(LOGIN_ID_PATTERN).optional(),
  pod: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .optional(),
  rollout: z.enum(['0', '1']).default('0'),
});

/**
 * The agent's device login as the browser follows it (short polling): the code and link
 * are in the answer, so operators only. Never cached.
 */
export const GET = defineRoute({ name: 'agent-login', role: 'operator' }, async (request, context) => {
  const agent = await agentRefFromParams(context.params);
  if (!agent.ok) return Response.json({ error: agent.error }, { status: 400 });
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return Response.json({ error: 'The login request was not valid.' }, { status: 400 });
  const { follow, pod, rollout } = query.data;
  const view = await getLoginView(agent.ref, {
    follow: follow && pod ? { loginId: follow, podUid: pod } : undefined,
    rollout: rollout === '1',
  });
  return Response.json(view, { headers: { 'Cache-Control': 'no-store' } });
});
