'use client';
import Link from 'next/link';
import { ErrorNotice } from '@/components/ui/error-notice';

/** The agent page failed as a whole (the cluster did not answer for its Deployment): what happened, what to do, a retry. */
export default function AgentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-3">
      <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
        ← Fleet
      </Link>
      <h1 className="text-2xl font-semibold">This agent could not be shown</h1>
      <ErrorNotice what="The agent page" error={error} reset={reset} />
    </div>
  );
}
