import { describe, expect, it } from 'vitest';
import { bodyFor } from './sinks';
import { restartBucket, type NotificationEvent } from './events';

const event: NotificationEvent = {
  key: 'crash-loop|dev/agents/openab-codex|uid-1:0',
  type: 'crash-loop',
  agent: { clusterId: 'dev', namespace: 'agents', name: 'openab-codex' },
  at: '2026-12-06T09:00:00.000Z',
  message: 'Agent agents/openab-codex: pod openab-codex-1 is crash-looping (3 restarts). @everyone',
};

describe('notification events', () => {
  it('tell a crash loop again only at each power of ten of its restarts', () => {
    expect([0, 1, 9, 10, 99, 100, 1500].map(restartBucket)).toEqual([0, 0, 0, 1, 1, 2, 3]);
  });

  it('are posted in each webhook kind’s own shape', () => {
    expect(bodyFor('slack', event)).toEqual({ text: `[openab-dashboard] ${event.message}` });
    // Discord: nobody is pinged, whatever the message holds.
    expect(bodyFor('discord', event)).toEqual({ content: `[openab-dashboard] ${event.message}`, allowed_mentions: { parse: [] } });
    expect(bodyFor('webhook', event)).toEqual({
      schema: 'openab-dashboard.notification.v1',
      key: event.key,
      type: 'crash-loop',
      agent: { cluster: 'dev', namespace: 'agents', name: 'openab-codex' },
      at: event.at,
      message: event.message,
    });
    expect((bodyFor('discord', { ...event, message: 'x'.repeat(5000) }) as { content: string }).content).toHaveLength(2000);
    // Slack pings on <!channel> and links on <url|text>: neither can come from a message.
    expect(bodyFor('slack', { ...event, message: 'a <!channel> & <https://x|y>' })).toEqual({
      text: '[openab-dashboard] a &lt;!channel&gt; &amp; &lt;https://x|y&gt;',
    });
  });
});
