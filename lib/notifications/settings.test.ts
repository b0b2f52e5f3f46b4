import { describe, expect, it } from 'vitest';
import { NotificationSettingsError, readNotificationSettings } from './settings';

describe('notification settings', () => {
  it('are off without a webhook', () => {
    expect(readNotificationSettings({}).sinks).toEqual([]);
  });

  it('take each webhook URL with its kind, and defaults for the rest', () => {
    const s = readNotificationSettings({
      NOTIFY_SLACK_WEBHOOK_URL: 'https://hooks.example.com/services/T0/B0/x',
      NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      POD_NAME: 'dash-1',
    });
    expect(s.sinks.map((x) => x.kind)).toEqual(['slack', 'webhook']);
    expect(s).toMatchObject({
      intervalMs: 60_000,
      leaseSeconds: 30,
      leaseName: 'openab-dashboard-notifier',
      recordName: 'openab-dashboard-notifications',
      namespace: 'openab-dashboard',
    });
    expect(s.identity).toMatch(/^dash-1_[0-9a-f]{8}$/);
    expect(readNotificationSettings({ POD_NAME: 'dash-1' }).identity).not.toBe(s.identity);
  });

  it('refuse a bad URL at start-up, naming the setting and never the value', () => {
    for (const bad of ['hooks.slack.com/services/SECRET-PART', 'ftp://x/SECRET-PART', 'javascript:SECRET-PART']) {
      let err: unknown;
      try {
        readNotificationSettings({ NOTIFY_DISCORD_WEBHOOK_URL: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NotificationSettingsError);
      expect((err as Error).message).toContain('NOTIFY_DISCORD_WEBHOOK_URL');
      expect((err as Error).message).not.toContain('SECRET-PART');
    }
  });

  it('refuse an interval or lease out of range', () => {
    expect(() => readNotificationSettings({ NOTIFY_INTERVAL_MS: 'soon' })).toThrow(/NOTIFY_INTERVAL_MS/);
    expect(() => readNotificationSettings({ NOTIFY_LEASE_SECONDS: '0' })).toThrow(/NOTIFY_LEASE_SECONDS/);
  });
});
