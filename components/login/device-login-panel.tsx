import type { AgentPanelProps } from '@/components/agents/panel-props';
import { Section } from '@/components/ui/section';
import { roleAtLeast, ROLE_LABELS } from '@/lib/auth/roles';
import { getAgentAccess, getAgentView } from '@/lib/fleet/agent-detail';
import { getLoginView, LoginError, loginSummary } from '@/lib/login/login-service';
import type { LoginView } from '@/lib/login/login-view';
import { agentApiPath } from '@/components/actions/agent-url';
import { DeviceLogin } from './device-login';

/**
 * Device-code login of the agent. Operators get the live view, read from the pod's files
 * on the server so a reload shows the same code at once; everyone else sees the button
 * disabled with the reason, and never the code or the link.
 */
export async function DeviceLoginPanel({ clusterId, namespace, name, user }: AgentPanelProps) {
  const title = 'Codex login';
  if (!roleAtLeast(user.role, 'operator')) {
    return (
      <Section title={title}>
        <p className="flex flex-wrap items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
          <button
            type="button"
            disabled
            aria-describedby="login-disabled-reason"
            data-testid="login-start"
            className="cursor-not-allowed rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white opacity-50 dark:bg-sky-600"
          >
            Log in with a device code
          </button>
          <span id="login-disabled-reason" data-testid="login-disabled-reason">
            Logging an agent in needs the {ROLE_LABELS.operator} role; you are signed in as {ROLE_LABELS[user.role]}.
          </span>
        </p>
      </Section>
    );
  }

  let initial: LoginView | null = null;
  let initialError: string | null = null;
  const agent = await getAgentView(clusterId, namespace, name);
  try {
    const access = (await getAgentAccess(clusterId, namespace, name, user.role)).exec;
    // Only a clear "no" disables the login; an unanswered check should not block it.
    if (!access.allowed && access.reason?.startsWith('The cluster does not allow'))
      initialError = `Logging in is not possible: ${access.reason}`;
    else initial = await getLoginView({ clusterId, namespace, name });
  } catch (err) {
    initialError = err instanceof LoginError ? err.message : 'The login state could not be read.';
  }
  const apiUrl = `${agentApiPath({ clusterId, namespace, name })}/login`;
  return (
    <Section title={title}>
      <DeviceLogin
        agent={{ clusterId, namespace, name }}
        apiUrl={apiUrl}
        initial={initial}
        initialError={initialError}
        currentLogin={agent.probe ? loginSummary(agent.probe.login) : null}
        userName={user.name}
      />
    </Section>
  );
}
