// Filtering and exporting audit entries. Pure: the page, the export route and tests share it.

import type { HistoryEntry } from './history';
import { changeSentence } from './change-sentence';

/** One recorded action anywhere in the fleet: an agent page's history entry, and where. */
export interface AuditEntry extends Omit<HistoryEntry, 'warning'> {
  cluster: string;
  namespace: string;
  agent: string;
}

export interface AuditFilter {
  /** `cluster/namespace/name` */
  agent?: string;
  user?: string;
  action?: string;
  result?: string;
}

export const agentKeyOf = (e: Pick<AuditEntry, 'cluster' | 'namespace' | 'agent'>) => `${e.cluster}/${e.namespace}/${e.agent}`;

const clean = (v: string | null | undefined) => (v ?? '').trim().slice(0, 300) || undefined;

/** Reads the filter from query parameters, ignoring anything unknown or empty. */
export function auditFilterOf(params: URLSearchParams | Record<string, string | string[] | undefined>): AuditFilter {
  const get = (k: string) => {
    if (params instanceof URLSearchParams) return params.get(k);
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  };
  return { agent: clean(get('agent')), user: clean(get('user')), action: clean(get('action')), result: clean(get('result')) };
}

/** Agent, action and result match exactly; user matches a case-insensitive part of the name. */
export function filterAudit(entries: AuditEntry[], f: AuditFilter): AuditEntry[] {
  const user = f.user?.toLowerCase();
  return entries.filter(
    (e) =>
      (!f.agent || agentKeyOf(e) === f.agent) &&
      (!user || e.user.toLowerCase().includes(user)) &&
      (!f.action || e.action === f.action) &&
      (!f.result || e.result === f.result),
  );
}

/** `verified` is yes when the dashboard's signature checks out; `unverified` says why not (see signature.ts). */
export const AUDIT_COLUMNS = [
  'time',
  'cluster',
  'namespace',
  'agent',
  'user',
  'role',
  'action',
  'result',
  'before',
  'after',
  'message',
  'verified',
  'unverified',
] as const;

const text = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * One CSV cell. A spreadsheet runs a cell starting with = + - @ (or a tab or carriage return,
 * which some strip first) as a formula, so those get a leading quote; then RFC 4180 quoting.
 */
export function csvCell(value: unknown): string {
  let s = text(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsv(entries: AuditEntry[]): string {
  const rows = entries.map((e) =>
    [
      e.at,
      e.cluster,
      e.namespace,
      e.agent,
      e.user,
      e.role,
      e.action,
      e.result,
      e.before,
      e.after,
      e.message,
      e.verified ? 'yes' : 'no',
      e.unverified,
    ]
      .map(csvCell)
      .join(','),
  );
  return [AUDIT_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

export function auditJson(entries: AuditEntry[], meta: { generatedAt: string; filter: AuditFilter; errors: string[] }): string {
  return JSON.stringify(
    {
      generatedAt: meta.generatedAt,
      filter: meta.filter,
      note: 'Kubernetes Events expire (one hour by default); the dashboard log\'s JSON "audit" lines are the durable record. An entry with "verified": false was not signed by this dashboard (anyone who may create Events in its namespace could have written it), or was changed since; "unverified" says which.',
      errors: meta.errors,
      entries: entries.map((e) => ({
        time: e.at,
        cluster: e.cluster,
        namespace: e.namespace,
        agent: e.agent,
        user: e.user,
        role: e.role,
        action: e.action,
        result: e.result,
        before: e.before,
        after: e.after,
        // The change in words, as the audit page shows it; before and after stay as recorded.
        change: changeSentence(e),
        message: e.message,
        verified: e.verified,
        unverified: e.unverified,
      })),
    },
    null,
    2,
  );
}

/** A download name: only safe characters, so the header needs no quoting tricks. */
export function exportFileName(format: 'csv' | 'json', now: Date): string {
  return `openab-audit-${now
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z')}.${format}`;
}
