import Link from 'next/link';

/** An agent address that leads nowhere: answered with a 404 and what to do next. */
export default function AgentNotFound() {
  return (
    <div className="space-y-3">
      <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
        ← Fleet
      </Link>
      <h1 className="text-2xl font-semibold">No such agent</h1>
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-900 dark:bg-red-950 dark:text-red-200">
        Not found: there is no Codex agent at this address in this dashboard&apos;s scope. It may have been removed or renamed, or the
        Deployment is not a Codex agent (it does not match the dashboard&apos;s agent selector). Go back to the fleet and pick it from
        there.
      </p>
    </div>
  );
}
