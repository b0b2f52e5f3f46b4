import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** Where notifications go. Each URL is a secret (it carries the webhook's token): never logged. */
export type SinkKind = 'slack' | 'discord' | 'webhook';
export interface Sink {
  kind: SinkKind;
  url: string;
}

export interface NotificationSettings {
  /** Empty: notifications are off (nothing runs). */
  sinks: Sink[];
  /** How often the leader looks at the fleet. */
  intervalMs: number;
  /** How long a leader's claim lasts without renewal; another replica takes over after it. */
  leaseSeconds: number;
  /** The Lease and the ConfigMap of what was sent, both in the dashboard's own namespace. */
  namespace: string;
  leaseName: string;
  recordName: string;
  /** This replica's name on the Lease (holderIdentity). */
  identity: string;
}

/** A setting that cannot be used: the message names the setting, never its value. */
export class NotificationSettingsError extends Error {}

function positive(name: string, value: string | undefined, fallback: number, min: number): number {
  const raw = value?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new NotificationSettingsError(`${name} must be a number of at least ${min}.`);
  return n;
}

/**
 * The notifier's settings, from an environment (lib/settings.ts reads the process's once).
 * Throws NotificationSettingsError for a URL that is not http(s) or a number out of range; the
 * message never holds the URL.
 */
export function readNotificationSettings(
  env: Record<string, string | undefined>,
  defaultNamespace = 'openab-dashboard',
): NotificationSettings {
  const sinks: Sink[] = [];
  const given: Array<[SinkKind, string, string | undefined]> = [
    ['slack', 'NOTIFY_SLACK_WEBHOOK_URL', env.NOTIFY_SLACK_WEBHOOK_URL],
    ['discord', 'NOTIFY_DISCORD_WEBHOOK_URL', env.NOTIFY_DISCORD_WEBHOOK_URL],
    ['webhook', 'NOTIFY_WEBHOOK_URL', env.NOTIFY_WEBHOOK_URL],
  ];
  for (const [kind, name, value] of given) {
    const raw = value?.trim();
    if (!raw) continue;
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname)
      throw new NotificationSettingsError(`${name} is not an http(s) URL (its value is not shown: it holds the webhook's token).`);
    sinks.push({ kind, url: url.toString() });
  }
  return {
    sinks,
    intervalMs: positive('NOTIFY_INTERVAL_MS', env.NOTIFY_INTERVAL_MS, 60_000, 100),
    leaseSeconds: positive('NOTIFY_LEASE_SECONDS', env.NOTIFY_LEASE_SECONDS, 30, 1),
    namespace: env.NOTIFY_NAMESPACE?.trim() || env.SESSION_STORE_NAMESPACE?.trim() || defaultNamespace,
    leaseName: env.NOTIFY_LEASE_NAME?.trim() || 'openab-dashboard-notifier',
    recordName: env.NOTIFY_RECORD_NAME?.trim() || 'openab-dashboard-notifications',
    // Unique per process: a restarted container must not pass for the holder it replaced.
    identity: `${env.POD_NAME?.trim() || os.hostname()}_${randomBytes(4).toString('hex')}`,
  };
}
