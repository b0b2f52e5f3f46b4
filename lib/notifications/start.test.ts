import { describe, expect, it } from 'vitest';
import { NotificationSettingsError } from './settings';
import { startNotifications } from './start';

describe('starting notifications', () => {
  it('does nothing without a webhook', () => {
    expect(startNotifications({})).toBeNull();
  });

  it('refuses a bad webhook setting, and impersonation mode, before anything runs', () => {
    expect(() => startNotifications({ NOTIFY_WEBHOOK_URL: 'nope' })).toThrow(NotificationSettingsError);
    expect(() => startNotifications({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x', IMPERSONATION: 'true' })).toThrow(/IMPERSONATION=true/);
  });
});
