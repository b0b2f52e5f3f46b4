import Link from 'next/link';

/** Any address the dashboard does not have. */
export default function NotFound() {
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p role="alert" className="text-zinc-700 dark:text-zinc-300">
        Not found: this address is not a page of the dashboard, or what it named no longer exists.
      </p>
      <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
        ← Back to the fleet
      </Link>
    </div>
  );
}
