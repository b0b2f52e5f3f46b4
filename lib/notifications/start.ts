import 'server-only';
import { getClusters } from '../k8s/clusters';
import { getSettings } from '../settings';
import { processState } from '../process-state';
import { Notifier } from './notifier';
import { impersonationEnabled } from '../k8s/impersonation';
import { NotificationSettingsError } from './settings';

/** One per process (lib/process-state.ts), whichever bundle starts it. */
const running = processState('notifications.notifier', () => ({ notifier: null as Notifier | null }));

/**
 * Starts this process's notifier when a webhook is configured (off otherwise). A setting that
 * cannot be used throws here, at start-up, naming the setting and never its value.
 */
export function startNotifications(): Notifier | null {
  const settings = getSettings().notifications;
  if (settings.sinks.length === 0) return null;
  // The notifier reads the fleet with no one signed in: as the dashboard, which in impersonation
  // mode holds no read rights of its own.
  if (impersonationEnabled())
    throw new NotificationSettingsError(
      'Notifications read the fleet as the dashboard itself, which impersonation mode (IMPERSONATION=true) gives no read rights: turn one of them off.',
    );
  if (running.notifier) return running.notifier;
  let cluster;
  try {
    // The first context is the cluster the dashboard runs in: the Lease and the record live there.
    cluster = getClusters()[0];
  } catch (err) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'notifier not started: no cluster', error: (err as Error).message.slice(0, 300) }));
    return null;
  }
  const notifier = new Notifier(settings, cluster);
  running.notifier = notifier;
  notifier.start();
  console.log(
    JSON.stringify({
      level: 'info',
      msg: 'notifier started',
      sinks: settings.sinks.map((s) => s.kind),
      intervalMs: settings.intervalMs,
      identity: settings.identity,
    }),
  );
  return notifier;
}
