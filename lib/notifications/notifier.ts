import 'server-only';
import type { Cluster } from '../k8s/clusters';
import { agentKey } from '../k8s/agent-ref';
import { getFleet } from '../fleet/fleet';
import { listFailedDeliveries } from '../deliveries/fleet-deliveries';
import { deliveryEvents, fleetEvents, fullAccessNow, type NotificationEvent } from './events';
import { LeaseElector } from './lease';
import { addPending, updateRecord, type RecordTarget } from './record';
import { postEvent } from './sinks';
import type { NotificationSettings } from './settings';

/** At most this many events are posted per scan: a first run on a big fleet cannot flood a channel. */
const SENDS_PER_SCAN = 20;

export interface NotifierStatus {
  identity: string;
  leader: boolean;
  /** Scans completed as leader (found, recorded, sent what it could). */
  scans: number;
  lastError: string | null;
}

function log(level: 'info' | 'warn', msg: string, extra: Record<string, unknown> = {}): void {
  (level === 'warn' ? console.warn : console.log)(JSON.stringify({ level, msg, ...extra }));
}

/**
 * Tells operators what needs them. Every replica runs one; only the holder of the Lease scans
 * the fleet and posts. Found events are first recorded as pending in the cluster, then posted,
 * then recorded as sent: a replica that dies in between leaves them pending for the next leader
 * (at-least-once: an event posted but not yet recorded as sent is posted again).
 */
export class Notifier {
  private readonly elector: LeaseElector;
  private readonly record: RecordTarget;
  private stopped = false;
  private leaseTimer: NodeJS.Timeout | null = null;
  private scanTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private scans = 0;
  private lastError: string | null = null;

  constructor(
    private readonly settings: NotificationSettings,
    cluster: Cluster,
  ) {
    this.elector = new LeaseElector(cluster.kc, {
      namespace: settings.namespace,
      name: settings.leaseName,
      identity: settings.identity,
      leaseSeconds: settings.leaseSeconds,
    });
    this.record = { core: cluster.core, namespace: settings.namespace, name: settings.recordName };
  }

  status(): NotifierStatus {
    return { identity: this.settings.identity, leader: this.elector.isLeader(), scans: this.scans, lastError: this.lastError };
  }

  start(): void {
    const retryMs = Math.max(100, Math.min((this.settings.leaseSeconds * 1000) / 4, 2_000));
    const leaseRound = async () => {
      if (this.stopped) return;
      const wasLeader = this.elector.isLeader();
      const leader = await this.elector.tryAcquireOrRenew();
      if (this.stopped) return;
      if (leader !== wasLeader)
        log('info', leader ? 'notifier: this replica now sends notifications' : 'notifier: another replica sends notifications', {
          identity: this.settings.identity,
        });
      this.leaseTimer = setTimeout(() => void leaseRound(), retryMs).unref();
    };
    const scanRound = async () => {
      if (this.stopped) return;
      this.running = this.scanOnce();
      await this.running;
      this.running = null;
      if (!this.stopped)
        this.scanTimer = setTimeout(() => void scanRound(), this.elector.isLeader() ? this.settings.intervalMs : retryMs).unref();
    };
    void leaseRound().then(() => scanRound());
  }

  /**
   * Stops. `release: false` is what a crash looks like to the others: the Lease is left to expire.
   * Waits for a scan in progress (it stops before its next post or write).
   */
  async stop(opts: { release: boolean } = { release: true }): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    if (this.scanTimer) clearTimeout(this.scanTimer);
    await this.running?.catch(() => undefined);
    if (opts.release) await this.elector.release();
  }

  private allowed = () => !this.stopped && this.elector.isLeader();

  /** One pass as leader: find, record as pending, post, record as sent. Never throws. */
  async scanOnce(): Promise<void> {
    if (!this.allowed()) return;
    try {
      const found = await this.find();
      if (!this.allowed()) return;
      const now = new Date();
      const state = await updateRecord(this.record, (s) => {
        for (const [key, on] of found.fullAccess) {
          if (on) s.fullAccess[key] ??= now.toISOString();
          else delete s.fullAccess[key];
        }
        addPending(s, [...fleetEvents(found.agents, s.fullAccess, now), ...found.deliveries]);
      });
      const queue = Object.values(state.pending).slice(0, SENDS_PER_SCAN);
      for (const { event, done } of queue) {
        if (!this.allowed()) return;
        await this.send(event, done);
      }
      this.scans++;
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message.slice(0, 300);
      log('warn', 'notifier: scan failed', { error: this.lastError });
    }
  }

  private async find(): Promise<{
    agents: Awaited<ReturnType<typeof getFleet>>['agents'];
    fullAccess: Map<string, boolean>;
    deliveries: NotificationEvent[];
  }> {
    // The notifier watches on behalf of those it tells: every agent is kept fresh (a switch to Full
    // access is told within the refresh interval), as far as the exec budget allows once the agents
    // on someone's screen had theirs.
    const fleet = await getFleet({ lookedAt: 'watched' });
    if (fleet.error) throw new Error(fleet.error);
    const readable = fleet.agents.filter((a) => a.pod && !a.problem);
    const deliveries = await listFailedDeliveries(
      readable.map((a) => ({ ref: { clusterId: a.clusterId, namespace: a.workload.namespace, name: a.workload.name }, error: null })),
    );
    return { agents: fleet.agents, fullAccess: fullAccessNow(fleet.agents), deliveries: deliveryEvents(deliveries, new Date()) };
  }

  private async send(event: NotificationEvent, done: string[]): Promise<void> {
    const accepted = new Set(done);
    for (const sink of this.settings.sinks) {
      if (accepted.has(sink.kind)) continue;
      // A call may not outlast half the Lease: a sender stalled past it would overlap the next one.
      const result = await postEvent(sink, event, {
        stillAllowed: this.allowed,
        timeoutMs: Math.min(10_000, this.settings.leaseSeconds * 500),
      });
      if (!result.ok) {
        log('warn', 'notifier: a webhook did not take an event; it stays pending', {
          type: event.type,
          agent: agentKey(event.agent),
          error: result.error,
        });
        continue;
      }
      accepted.add(sink.kind);
      const complete = this.settings.sinks.every((s) => accepted.has(s.kind));
      // Recorded after each webhook, even if this replica just lost the Lease: what one webhook
      // took must not be posted to it again (the window is this one call and this one write).
      await updateRecord(this.record, (s) => {
        const entry = s.pending[event.key];
        if (!entry) return;
        if (complete) {
          delete s.pending[event.key];
          s.sent[event.key] = Date.now();
        } else entry.done = [...new Set([...entry.done, ...accepted])];
      });
    }
  }
}
