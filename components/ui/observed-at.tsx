import { RelativeTime } from './relative-time';

/**
 * "as of 2m ago" for a fact read by a probe that carries when it was observed (`observedAt`);
 * nothing for one read just now for this page.
 */
export function ObservedAt({ fact }: { fact: object | null | undefined }) {
  const at = fact && 'observedAt' in fact && typeof fact.observedAt === 'string' ? fact.observedAt : null;
  if (!at) return null;
  return (
    <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400" data-testid="observed-at">
      as of <RelativeTime iso={at} suffix=" ago" />
    </p>
  );
}
