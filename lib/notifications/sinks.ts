// Posting one event to one webhook: the body each kind expects, a deadline per attempt and
// a bounded retry with backoff. Never throws; never puts the URL in a message.
import type { NotificationEvent } from './events';
import type { Sink, SinkKind } from './settings';

/** The generic webhook's body (documented in the README's Notifications section). */
export interface WebhookBody {
  schema: 'openab-dashboard.notification.v1';
  key: string;
  type: NotificationEvent['type'];
  agent: { cluster: string; namespace: string; name: string };
  at: string;
  message: string;
}

/** Discord refuses content over 2000 characters. */
const DISCORD_MAX = 2000;
const NAMES: Record<SinkKind, string> = { slack: 'Slack', discord: 'Discord', webhook: 'JSON' };

export function bodyFor(kind: SinkKind, event: NotificationEvent): unknown {
  const text = `[openab-dashboard] ${event.message}`;
  // Slack reads <...> as links and pings (<!channel>): the three characters it asks to escape.
  if (kind === 'slack') return { text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') };
  // No @everyone, role or user ping, whatever an agent's name holds.
  if (kind === 'discord') return { content: text.slice(0, DISCORD_MAX), allowed_mentions: { parse: [] } };
  const body: WebhookBody = {
    schema: 'openab-dashboard.notification.v1',
    key: event.key,
    type: event.type,
    agent: { cluster: event.agent.clusterId, namespace: event.agent.namespace, name: event.agent.name },
    at: event.at,
    message: event.message,
  };
  return body;
}

export interface PostOptions {
  attempts?: number;
  timeoutMs?: number;
  /** First backoff; doubles per attempt. */
  backoffMs?: number;
  /** Checked before each attempt: a replica that lost the lease stops sending. */
  stillAllowed?: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the webhook accepted the event (2xx). Retries 429, 5xx and network errors. */
export async function postEvent(sink: Sink, event: NotificationEvent, opts: PostOptions = {}): Promise<{ ok: boolean; error?: string }> {
  const attempts = opts.attempts ?? 4;
  let backoff = opts.backoffMs ?? 500;
  let error = '';
  for (let i = 0; i < attempts; i++) {
    if (opts.stillAllowed && !opts.stillAllowed()) return { ok: false, error: 'no longer the leader' };
    try {
      const res = await fetch(sink.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(bodyFor(sink.kind, event)),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      error = `the ${NAMES[sink.kind]} webhook answered ${res.status}`;
      if (res.status !== 429 && res.status < 500) return { ok: false, error };
      const retryAfter = Number(res.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) backoff = Math.max(backoff, Math.min(retryAfter * 1000, 30_000));
    } catch (err) {
      // The error of fetch may quote the URL: keep only its kind.
      error = `the ${NAMES[sink.kind]} webhook could not be reached (${(err as Error).name})`;
    }
    if (i < attempts - 1) await sleep(backoff);
    backoff *= 2;
  }
  return { ok: false, error };
}
