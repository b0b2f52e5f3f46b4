import { describe, expect, it } from 'vitest';
import type * as k8s from '@kubernetes/client-node';
import { historyEntryOf, orderHistory } from './history';
import { auditEvent, auditMessage, type ActivityEntry } from './log-activity';
import { auditSigningKey, UNVERIFIED } from './signature';

const key = auditSigningKey('history-test-secret-history-test-secret')!;
const entry: ActivityEntry = {
  user: { name: 'olivia', email: null, role: 'operator' },
  action: 'approval-mode',
  agent: { cluster: 'c', namespace: 'n', name: 'a' },
  before: 'manual',
  after: 'auto-review',
  result: 'success',
};

/** What logActivity writes, as the API server stores it: a namespace, a resourceVersion, whole-second timestamps. */
function stored(at = new Date('2026-01-02T03:04:05.678Z'), rv = '42'): k8s.CoreV1Event {
  const e = auditEvent('c', entry, at, key);
  return {
    ...e,
    metadata: { ...e.metadata, name: `a.${rv}`, namespace: 'n', resourceVersion: rv },
    lastTimestamp: new Date(Math.floor(at.getTime() / 1000) * 1000),
  };
}

describe('historyEntryOf', () => {
  it('reads back what logActivity wrote, signed: verified, at its own time to the millisecond', () => {
    const read = historyEntryOf(stored(), 'c', key);
    expect(read).toMatchObject({
      at: '2026-01-02T03:04:05.678Z',
      user: 'olivia',
      role: 'operator',
      action: 'approval-mode',
      result: 'success',
      before: 'manual',
      after: 'auto-review',
      sequence: 42,
      warning: false,
      verified: true,
      unverified: null,
    });
    expect(read.message).toBe('olivia (operator): approval-mode success; from manual to auto-review');
    expect(read.message).toBe(auditMessage(entry));
    expect(read.detail).toBeNull();
  });

  it('tells the detail apart from who, what and the change, so the page need not show the raw message', () => {
    const failed: ActivityEntry = {
      ...entry,
      action: 'restart',
      before: { restartedAt: null },
      after: undefined,
      result: 'failure',
      detail: 'forbidden',
    };
    const read = historyEntryOf(auditEvent('c', failed, new Date(), key), 'c', key);
    expect(read.message).toContain('{');
    expect(read.detail).toBe('forbidden');
  });

  it("an Event written by hand with the dashboard's reason and record is read, and marked unverified", () => {
    const forged: k8s.CoreV1Event = {
      metadata: {
        namespace: 'n',
        resourceVersion: '7',
        annotations: { 'openab.dev/audit': JSON.stringify({ user: { name: 'ada', role: 'admin' }, action: 'restart', result: 'success' }) },
      },
      involvedObject: { kind: 'Deployment', name: 'a' },
      reason: 'OpenABDashboardAction',
      message: 'ada (admin): restart success',
      type: 'Normal',
    };
    const read = historyEntryOf(forged, 'c', key);
    expect(read).toMatchObject({ user: 'ada', action: 'restart', verified: false, unverified: UNVERIFIED.unsigned });
  });

  it('a signed entry changed, moved or re-signed elsewhere is unverified', () => {
    const base = stored();
    const changes: Array<[string, (e: k8s.CoreV1Event) => void, string]> = [
      ['message', (e) => void (e.message = 'olivia (operator): approval-mode success; from manual to full-access'), 'cluster c'],
      [
        'record',
        (e) =>
          void (e.metadata!.annotations!['openab.dev/audit'] = e.metadata!.annotations!['openab.dev/audit'].replace(
            'auto-review',
            'full-access',
          )),
        'cluster c',
      ],
      ['type', (e) => void (e.type = 'Warning'), 'cluster c'],
      ['deployment', (e) => void (e.involvedObject = { ...e.involvedObject, name: 'b' }), 'cluster c'],
      ['namespace', (e) => void (e.metadata!.namespace = 'other'), 'cluster c'],
      ['cluster', () => undefined, 'cluster d'],
    ];
    for (const [what, change, cluster] of changes) {
      const e = structuredClone(base);
      change(e);
      const read = historyEntryOf(e, cluster.slice(-1), key);
      expect(read.verified, what).toBe(false);
      expect(read.unverified, what).toBe(UNVERIFIED.mismatch);
    }
    expect(historyEntryOf(base, 'c', auditSigningKey('another-secret-another-secret-another')!).unverified).toBe(UNVERIFIED.mismatch);
    expect(historyEntryOf(base, 'c', null).unverified).toBe(UNVERIFIED.noKey);
  });

  it('tolerates an Event without our annotation', () => {
    const read = historyEntryOf({ metadata: {}, involvedObject: {}, message: 'someone: restart failure; boom', type: 'Warning' }, 'c', key);
    expect(read).toMatchObject({ user: 'someone', action: 'action', result: 'failure', warning: true, verified: false });
  });
});

describe('orderHistory', () => {
  it('newest first; a signed entry copied whole counts once, its later copies are marked', () => {
    const first = stored(new Date('2026-01-02T03:04:05.678Z'), '10');
    const second = stored(new Date('2026-01-02T03:04:06.000Z'), '11');
    const copy = {
      ...structuredClone(first),
      metadata: { ...first.metadata, resourceVersion: '12' },
      lastTimestamp: new Date('2026-01-02T05:00:00Z'),
    };
    const read = orderHistory([copy, first, second].map((e) => historyEntryOf(e, 'c', key)));
    expect(read.map((e) => [e.sequence, e.verified])).toEqual([
      [11, true],
      [12, false],
      [10, true],
    ]);
    expect(read[1].unverified).toBe(UNVERIFIED.copy);
  });
});
