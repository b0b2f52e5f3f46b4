import { describe, expect, it } from 'vitest';
import { historyEntryOf } from './history';
import { auditMessage } from './log-activity';

describe('historyEntryOf', () => {
  it('reads back what logActivity wrote', () => {
    const entry = { user: { name: 'olivia', email: null, role: 'operator' }, action: 'approval-mode', agent: { cluster: 'c', namespace: 'n', name: 'a' }, before: 'manual', after: 'auto-review', result: 'success' as const };
    const read = historyEntryOf({
      metadata: { resourceVersion: '42', annotations: { 'openab.dev/audit': JSON.stringify({ user: entry.user, action: entry.action, result: entry.result, before: entry.before, after: entry.after }) } },
      involvedObject: { kind: 'Deployment', name: 'a' },
      reason: 'OpenABDashboardAction',
      message: auditMessage(entry),
      type: 'Normal',
      lastTimestamp: new Date('2026-01-02T03:04:05Z'),
    });
    expect(read).toMatchObject({ at: '2026-01-02T03:04:05.000Z', user: 'olivia', role: 'operator', action: 'approval-mode', result: 'success', before: 'manual', after: 'auto-review', sequence: 42, warning: false });
    expect(read.message).toBe('olivia (operator): approval-mode success; from manual to auto-review');
  });

  it('tolerates an Event without our annotation', () => {
    const read = historyEntryOf({ metadata: {}, involvedObject: {}, message: 'someone: restart failure; boom', type: 'Warning' });
    expect(read).toMatchObject({ user: 'someone', action: 'action', result: 'failure', warning: true });
  });
});
