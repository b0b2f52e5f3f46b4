import 'server-only';
import { getClusters } from '../k8s/clusters';
import { getSettings } from '../settings';
import { Notifier } from './notifier';
import { readNotificationSettings } from './settings';

const running = Symbol.for('openab.notifier');

/**
 * Starts this process's notifier when a webhook is configured (off otherwise). A setting that
 * cannot be used throws here, at start-up, naming the setting and never its value.
 */
export function startNotifications(env: Record<string, string | undefined> = process.env): Notifier | null {
  const settings = readNotificationSettings(env, getSettings().auth.sessionStoreNamespace);
  if (settings.sinks.length === 0) return null;
  const g = globalThis as Record<symbol, Notifier | undefined>;
  if (g[running]) return g[running]!;
  let cluster;
  try {
    // The first context is the cluster the dashboard runs in: the Lease and the record live there.
    cluster = getClusters()[0];
  } catch (err) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'notifier not started: no cluster', error: (err as Error).message.slice(0, 300) }));
    return null;
  }
  const notifier = new Notifier(settings, cluster);
  g[running] = notifier;
  notifier.start();
  console.log(JSON.stringify({ level: 'info', msg: 'notifier started', sinks: settings.sinks.map((s) => s.kind), intervalMs: settings.intervalMs, identity: settings.identity }));
  return notifier;
}
