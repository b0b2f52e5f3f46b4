// Posting to the fake webhook receiver of the dev cluster, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWebhooks, type FakeWebhooks } from '../../devcluster/webhooks/index';
import type { NotificationEvent } from './events';
import { postEvent } from './sinks';

let hooks: FakeWebhooks;
const event: NotificationEvent = {
  key: 'k',
  type: 'login-expired',
  agent: { clusterId: 'dev', namespace: 'a', name: 'b' },
  at: '2026-12-06T09:00:00.000Z',
  message: 'Agent a/b: its Codex login expired.',
};

beforeAll(async () => {
  hooks = await startFakeWebhooks();
});
afterAll(async () => {
  await hooks?.close();
});

describe('posting an event', () => {
  it('retries with backoff through failures, then is received once', async () => {
    hooks.clear();
    hooks.failNext(2, 503);
    expect(await postEvent({ kind: 'slack', url: hooks.urls.slack }, event, { backoffMs: 10 })).toEqual({ ok: true });
    expect(hooks.received().map((r) => r.body)).toEqual([{ text: `[openab-dashboard] ${event.message}` }]);
  });

  it('gives up after its attempts, and on a refusal at once; the error never holds the URL', async () => {
    hooks.failNext(10, 503);
    const failed = await postEvent({ kind: 'discord', url: hooks.urls.discord }, event, { backoffMs: 10, attempts: 3 });
    expect(failed).toEqual({ ok: false, error: 'the Discord webhook answered 503' });
    hooks.failNext(0);
    const wrongToken = await postEvent({ kind: 'webhook', url: `${hooks.url}/hooks/webhook/00` }, event, { backoffMs: 10 });
    expect(wrongToken).toEqual({ ok: false, error: 'the JSON webhook answered 404' });
    const unreachable = await postEvent({ kind: 'webhook', url: 'http://127.0.0.1:1/hooks/webhook/secret-token' }, event, {
      backoffMs: 10,
      attempts: 2,
    });
    expect(unreachable.ok).toBe(false);
    expect(unreachable.error).not.toContain('secret-token');
  });

  it('stops when this replica may no longer send', async () => {
    hooks.clear();
    expect(await postEvent({ kind: 'slack', url: hooks.urls.slack }, event, { stillAllowed: () => false })).toEqual({
      ok: false,
      error: 'no longer the leader',
    });
    expect(hooks.received()).toEqual([]);
  });
});
