'use client';
import { useTransition } from 'react';
import { useRouter } from 'next/navigation';

/**
 * What failed, what to do, and a retry. A server error reaches the browser without its message
 * in production (only a digest), so the words are ours and the digest is the reference to look up.
 */
export function ErrorNotice({ what, error, reset }: { what: string; error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const retry = () =>
    startTransition(() => {
      // Fetch the server's part again, then let the boundary render it.
      router.refresh();
      reset();
    });
  return (
    <div
      role="alert"
      className="space-y-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200"
      data-testid="error-notice"
    >
      <p className="font-medium">{what} could not be loaded.</p>
      <p>
        The cluster or the agent&apos;s pod did not answer as expected. Retry; if it fails again, check that the cluster is reachable, or
        look the error up in the dashboard&apos;s log
        {error.digest ? (
          <>
            {' '}
            (reference <code className="break-all">{error.digest}</code>)
          </>
        ) : null}
        .
      </p>
      <button
        type="button"
        onClick={retry}
        disabled={pending}
        className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 disabled:opacity-60 dark:bg-red-600"
      >
        {pending ? 'Retrying…' : 'Retry'}
      </button>
    </div>
  );
}
