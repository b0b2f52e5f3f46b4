import 'server-only';
import pLimit from 'p-limit';
import { ClusterError } from '../k8s/errors';
import type { AgentRef } from '../images/agent-pod';
import { resendImage, ResendError, type ResendRequest, type ResendResult } from './resend';

/** The most deliveries one bulk re-send takes: a page of /deliveries. */
export const BULK_RESEND_MAX = 50;
/** Sends at once: Discord rate-limits per bot, and each send holds an image in memory. */
export const BULK_RESEND_CONCURRENCY = 3;

export interface BulkResendItem {
  /** The caller's id for the row, echoed back beside its result. */
  id: string;
  ref: AgentRef;
  image: string;
  target: string;
}

export type BulkResendOutcome = { id: string; ok: true; result: ResendResult } | { id: string; ok: false; error: string };

/**
 * Re-sends several images, a few at a time, each exactly as a single re-send (its own claim,
 * mark and audit entry); one failing does not stop the others. Results come back in the
 * order asked.
 */
export async function resendMany(items: BulkResendItem[], user: ResendRequest['user']): Promise<BulkResendOutcome[]> {
  const limit = pLimit(BULK_RESEND_CONCURRENCY);
  return Promise.all(
    items.slice(0, BULK_RESEND_MAX).map((item) =>
      limit(async (): Promise<BulkResendOutcome> => {
        try {
          return { id: item.id, ok: true, result: await resendImage({ ref: item.ref, image: item.image, target: item.target, user }) };
        } catch (err) {
          const error = err instanceof ResendError || err instanceof ClusterError ? err.message : 'The image could not be sent.';
          return { id: item.id, ok: false, error };
        }
      }),
    ),
  );
}
