import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/auth/guard';
import { agentPath } from '@/lib/url-params';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';
import { ClusterError } from '@/lib/k8s/errors';
import { readConversation, SESSION_ID, type SessionConversation } from '@/lib/images/conversation';
import { ConversationView } from '@/components/images/conversation-view';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string; session: string };

export default async function SessionConversationPage({ params }: { params: Promise<Params> }) {
  const found = await agentRefFromParams(params);
  const { session } = await params;
  if (!found.ok || !SESSION_ID.test(session)) {
    await requirePageUser('viewer', '/');
    notFound();
  }
  const ref = found.ref;
  const pagePath = agentPath(ref);
  await requirePageUser('viewer', `${pagePath}/images/sessions/${session}`);
  let data: SessionConversation | null = null;
  let problem: string | null = null;
  try {
    data = await readConversation(ref, session);
  } catch (err) {
    problem = err instanceof ClusterError ? err.message : 'The session could not be read.';
  }
  if (!data && !problem) notFound();
  return (
    <div className="space-y-4">
      <div>
        <Link
          href={`${pagePath}/images?session=${encodeURIComponent(session)}`}
          className="text-sm text-sky-700 hover:underline dark:text-sky-400"
        >
          ← Images of this session
        </Link>
        <h1 className="text-2xl font-semibold tracking-tight">Conversation</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {ref.namespace}/{ref.name} · session <code className="break-all text-xs">{session}</code> · read-only; tool output that may hold
          the environment or a token is withheld.
        </p>
      </div>
      {problem ? (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {problem}
        </p>
      ) : (
        <ConversationView data={data!} />
      )}
    </div>
  );
}
