'use server';
import { z } from 'zod';
import { defineAction } from '@/lib/auth/guard';
import { agentRefSchema } from '@/lib/operations/agent-ref';
import { cancelAgentLogin, restartAfterLogin, startAgentLogin, type Actor } from '@/lib/login/login-service';
import { LOGIN_ID_PATTERN } from '@/lib/login/login-view';

const loginId = z.string().regex(LOGIN_ID_PATTERN, 'not a login id');

function actor(user: { name: string; email: string | null; role: string }): Actor {
  return { name: user.name, email: user.email, role: user.role };
}

/** Starts a device-code login in the agent's pod, or returns the one under way. */
export const startLoginAction = defineAction(
  { name: 'login-start', role: 'operator', input: agentRefSchema.extend({ replaceLogin: z.boolean().default(false) }) },
  async (input, user) => startAgentLogin(input, actor(user), { replaceLogin: input.replaceLogin }),
);

/** Stops the login process in the pod. */
export const cancelLoginAction = defineAction(
  { name: 'login-cancel', role: 'operator', input: agentRefSchema.extend({ loginId }) },
  async (input, user) => cancelAgentLogin(input, actor(user), input.loginId),
);

/** Restarts the agent once after its login succeeded, so its sessions use the new login. */
export const restartAfterLoginAction = defineAction(
  { name: 'login-restart', role: 'operator', input: agentRefSchema.extend({ loginId }) },
  async (input, user) => restartAfterLogin(input, actor(user), input.loginId),
);
