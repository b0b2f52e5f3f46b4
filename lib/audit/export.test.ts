import { describe, expect, it } from 'vitest';
import { auditCsv, auditFilterOf, auditJson, csvCell, exportFileName, filterAudit, type AuditEntry } from './export';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  at: '2026-01-01T00:00:00.000Z',
  cluster: 'c1',
  namespace: 'agents',
  agent: 'a1',
  user: 'Olive Operator',
  role: 'operator',
  action: 'restart',
  result: 'success',
  message: 'Olive Operator (operator): restart success',
  detail: null,
  sequence: 1,
  verified: true,
  unverified: null,
  id: null,
  ...over,
});

describe('audit export', () => {
  it('quotes formula-looking cells so a spreadsheet shows them as text', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\r=1'])
      expect(csvCell(bad).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell({ mode: 'full-auto' })).toBe('"{""mode"":""full-auto""}"');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes a header and one row per entry, with injected values neutralised', () => {
    const csv = auditCsv([entry({ user: '=cmd|calc!A1', before: 'on-request', after: '-danger' })]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,cluster,namespace,agent,user,role,action,result,before,after,message,verified,unverified');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",'=cmd|calc!A1,");
    expect(lines[1]).toContain(",'-danger,");
    expect(lines[1]).not.toMatch(/,=/);
  });

  it('filters by agent, user part, action and result', () => {
    const all = [entry({}), entry({ agent: 'a2', user: 'Ada Admin', action: 'feature', result: 'failure' })];
    expect(filterAudit(all, { agent: 'c1/agents/a2' })).toHaveLength(1);
    expect(filterAudit(all, { user: 'ada' })[0].agent).toBe('a2');
    expect(filterAudit(all, { action: 'restart' })[0].agent).toBe('a1');
    expect(filterAudit(all, { result: 'failure', action: 'restart' })).toHaveLength(0);
    expect(filterAudit(all, {})).toHaveLength(2);
  });

  it('reads the filter from query parameters and ignores empty ones', () => {
    expect(auditFilterOf(new URLSearchParams('agent=&user=%20ada%20&result=failure'))).toEqual({
      agent: undefined,
      user: 'ada',
      action: undefined,
      result: 'failure',
    });
    expect(auditFilterOf({ action: ['restart', 'x'] }).action).toBe('restart');
  });

  it('exports JSON with the expiry note and a safe file name', () => {
    const json = JSON.parse(auditJson([entry({})], { generatedAt: 'now', filter: {}, errors: [] }));
    expect(json.entries[0]).toMatchObject({
      agent: 'a1',
      action: 'restart',
      user: 'Olive Operator',
      change: 'Restarted the Deployment; the new pod is ready.',
    });
    expect(json.note).toMatch(/expire/);
    expect(exportFileName('csv', new Date('2026-02-03T04:05:06.789Z'))).toBe('openab-audit-2026-02-03T04-05-06Z.csv');
    expect(exportFileName('json', new Date())).toMatch(/^[\w.-]+\.json$/);
  });

  it("says of every entry whether the dashboard's signature checks out, and why not (CSV and JSON)", () => {
    const forged = entry({
      user: 'mallory',
      verified: false,
      unverified: 'Not signed by this dashboard: anyone allowed to create Events in this namespace could have written it.',
    });
    const lines = auditCsv([entry({}), forged])
      .trimEnd()
      .split('\r\n');
    expect(lines[1].endsWith(',yes,')).toBe(true);
    expect(lines[2]).toContain(',no,Not signed by this dashboard');
    const json = JSON.parse(auditJson([entry({}), forged], { generatedAt: 'now', filter: {}, errors: [] }));
    expect(json.entries.map((e: { verified: boolean; unverified: string | null }) => [e.verified, e.unverified])).toEqual([
      [true, null],
      [false, forged.unverified],
    ]);
    expect(json.note).toMatch(/"verified": false/);
  });
});
