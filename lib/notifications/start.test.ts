import { afterEach, describe, expect, it } from 'vitest';
import { resetSettings } from '../settings';
import { startNotifications } from './start';

/** Starts with these variables set, as the process's environment would have them. */
function startWith(env: Record<string, string>) {
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
  resetSettings();
  try {
    return startNotifications();
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
  }
}

afterEach(() => resetSettings());

describe('starting notifications', () => {
  it('does nothing without a webhook', () => {
    expect(startWith({})).toBeNull();
  });

  it('refuses a bad webhook setting, and impersonation mode, before anything runs', () => {
    expect(() => startWith({ NOTIFY_WEBHOOK_URL: 'nope' })).toThrow(/NOTIFY_WEBHOOK_URL is not an http\(s\) URL/);
    expect(() => startWith({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x', IMPERSONATION: 'true' })).toThrow(/IMPERSONATION=true/);
  });
});
