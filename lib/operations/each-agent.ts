import 'server-only';
import pLimit from 'p-limit';
import { UserFacingError } from '../errors';
import { agentKey, type AgentRef } from './agent-ref';

/** One agent's outcome in a bulk action: its own result, or the plain reason it failed. */
export type BulkItem<T> = { ref: AgentRef; ok: true; result: T } | { ref: AgentRef; ok: false; error: string };

/** How many agents one bulk action may name (a page of the overview's table at most). */
export const MAX_BULK_AGENTS = 100;

/** Agents worked on at once: each takes an exec or a patch, and the cluster is shared. */
const BULK_CONCURRENCY = 4;

/**
 * Runs `work` for each agent (each named once), a few at a time, each on its own: one failing
 * does not stop the others, and its error reaches the person in plain words, never internals.
 */
export async function forEachAgent<T>(
  refs: AgentRef[],
  work: (ref: AgentRef) => Promise<T>,
  failure: (ref: AgentRef) => string,
): Promise<BulkItem<T>[]> {
  if (refs.length > MAX_BULK_AGENTS) throw new UserFacingError(`Select at most ${MAX_BULK_AGENTS} agents at a time.`);
  const unique = [...new Map(refs.map((r) => [agentKey(r), r])).values()];
  const limit = pLimit(BULK_CONCURRENCY);
  return Promise.all(
    unique.map((ref) =>
      limit(async (): Promise<BulkItem<T>> => {
        try {
          return { ref, ok: true, result: await work(ref) };
        } catch (err) {
          return { ref, ok: false, error: err instanceof UserFacingError ? err.message : failure(ref) };
        }
      }),
    ),
  );
}
