'use client';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import type { FleetAgent } from '@/lib/fleet/fleet';
import type { BulkApprovalItem } from '@/lib/operations/bulk-approval';
import { ApprovalBadge, LoginBadge } from '@/components/agents/badges';
import { RelativeTime } from '@/components/ui/relative-time';
import { ReadinessBadge, overviewItems, type OverviewReadiness } from '@/components/readiness/readiness-badge';
import { agentPath } from '@/lib/url-params';
import type { OverviewParams, SortKey } from './overview-params';
import { factsObservedAt, SORT_LABELS } from './fleet-rows';
import { BulkResult } from './bulk-approval';

const COLUMNS: SortKey[] = ['name', 'namespace', 'version', 'login', 'approval', 'image-generation', 'readiness', 'activity'];

/**
 * The dense view of the fleet: one row per agent, columns sorted by their header (a button, so
 * a click, Enter or Space sorts; `aria-sort` tells a screen reader which way). It scrolls
 * sideways inside its own box on a narrow screen; the page itself never does.
 */
export function FleetTable({
  agents,
  params,
  onSort,
  showCluster,
  selected,
  onSelect,
  readiness,
  results,
}: {
  agents: FleetAgent[];
  params: OverviewParams;
  onSort: (sort: SortKey, dir: 'asc' | 'desc') => void;
  showCluster: boolean;
  selected: Set<string>;
  onSelect: (keys: string[], on: boolean) => void;
  readiness: Record<string, OverviewReadiness> | null;
  results: Map<string, BulkApprovalItem>;
}) {
  const keys = agents.map((a) => a.key);
  const chosen = keys.filter((k) => selected.has(k)).length;
  const allBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (allBox.current) allBox.current.indeterminate = chosen > 0 && chosen < keys.length;
  }, [chosen, keys.length]);
  const showResults = agents.some((a) => results.has(a.key));

  return (
    <div
      className="max-w-full overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
      data-testid="fleet-table-scroller"
    >
      <table className="min-w-full text-left text-sm" aria-label="Agents">
        <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-2 py-2">
              <input
                ref={allBox}
                type="checkbox"
                aria-label="Select all agents on this page"
                checked={keys.length > 0 && chosen === keys.length}
                onChange={(e) => onSelect(keys, e.target.checked)}
              />
            </th>
            {COLUMNS.map((key) => {
              const active = params.sort === key;
              const dir = active ? params.dir : null;
              return (
                <th
                  key={key}
                  scope="col"
                  aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
                  className="whitespace-nowrap px-2 py-2 font-medium"
                >
                  <button
                    type="button"
                    className="inline-flex items-center gap-1 rounded hover:text-zinc-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:text-zinc-100"
                    onClick={() => onSort(key, active && params.dir === 'asc' ? 'desc' : 'asc')}
                  >
                    {SORT_LABELS[key]}
                    <span aria-hidden="true">{dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}</span>
                  </button>
                </th>
              );
            })}
            {showResults && (
              <th scope="col" className="px-2 py-2 font-medium">
                Result
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {agents.map((a) => {
            const p = a.probe;
            const label = `${a.workload.namespace}/${a.workload.name}`;
            const observed = factsObservedAt(a);
            const result = results.get(a.key);
            return (
              <tr
                key={a.key}
                data-testid="agent-row"
                data-agent={label}
                className={a.attention.length ? 'bg-red-50/60 dark:bg-red-950/30' : undefined}
              >
                <td className="px-2 py-1.5">
                  <input
                    type="checkbox"
                    aria-label={`Select ${label}`}
                    checked={selected.has(a.key)}
                    onChange={(e) => onSelect([a.key], e.target.checked)}
                  />
                </td>
                <th scope="row" className="whitespace-nowrap px-2 py-1.5 font-normal">
                  <Link
                    href={agentPath({ clusterId: a.clusterId, namespace: a.workload.namespace, name: a.workload.name })}
                    className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                  >
                    {a.workload.name}
                  </Link>
                  {showCluster && <div className="text-xs text-zinc-500 dark:text-zinc-400">{a.clusterLabel}</div>}
                  {a.problem && (
                    <div className="max-w-[16rem] truncate text-xs text-red-700 dark:text-red-300" title={a.problem}>
                      {a.problem}
                    </div>
                  )}
                </th>
                <td className="whitespace-nowrap px-2 py-1.5">{a.workload.namespace}</td>
                <td className="whitespace-nowrap px-2 py-1.5">{p?.codexVersion ?? '—'}</td>
                <td className="whitespace-nowrap px-2 py-1.5" data-testid="login-state">
                  <LoginBadge login={p?.login} />
                </td>
                <td className="whitespace-nowrap px-2 py-1.5">
                  <span data-testid="approval-mode">
                    <ApprovalBadge approval={p?.approval} />
                  </span>
                  {observed && (
                    <div className="text-xs text-zinc-500 dark:text-zinc-400">
                      checked <RelativeTime iso={observed} suffix=" ago" />
                      {a.probeFailure && (
                        <span className="text-amber-800 dark:text-amber-300" title={a.probeFailure.message}>
                          {' '}
                          · last check failed
                        </span>
                      )}
                    </div>
                  )}
                </td>
                <td className="whitespace-nowrap px-2 py-1.5" data-testid="image-generation">
                  {p?.imageGeneration == null ? '—' : p.imageGeneration ? 'On' : 'Off'}
                </td>
                <td className="max-w-[14rem] px-2 py-1.5">
                  <ReadinessBadge items={overviewItems(p, a.problem, readiness?.[a.key])} />
                </td>
                <td className="whitespace-nowrap px-2 py-1.5">
                  <RelativeTime iso={p?.lastActivity} suffix=" ago" />
                </td>
                {showResults && <td className="min-w-[12rem] px-2 py-1.5">{result && <BulkResult item={result} />}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
