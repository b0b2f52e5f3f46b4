import { notFound } from 'next/navigation';
import { getSessionUser } from '@/lib/auth/guard';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';
import { ClusterError } from '@/lib/k8s/errors';
import { locateAgent } from '@/lib/k8s/locator';

/**
 * A missing agent, or a Deployment that is not one, is a 404 (../not-found.tsx says why). It is
 * decided here, above the agent page's loading.tsx: once a loading state has streamed, the status
 * can no longer change. (That loading.tsx sits in the `(agent)` group so that it wraps the agent
 * page alone: the pages below, such as a session's conversation, decide their own 404s.) The page
 * reads the same agent from the per-render cache, so this costs no request.
 */
export default async function AgentLayout({ children, params }: { children: React.ReactNode; params: Promise<unknown> }) {
  // Not signed in: the page sends the visitor to sign in, and tells nothing about the agent.
  if (!(await getSessionUser())) return children;
  const found = await agentRefFromParams(params);
  if (!found.ok) notFound();
  try {
    await locateAgent(found.ref);
  } catch (err) {
    if (err instanceof ClusterError && err.kind === 'not-found') notFound();
    // Any other failure is the page's to show (error.tsx, with a retry).
  }
  return children;
}
