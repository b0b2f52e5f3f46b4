'use client';
import { useId, useMemo, useState } from 'react';
import type { Feature } from '@/lib/codex/features';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { Permission } from '@/lib/operations/access';
import { FeatureSwitch } from '@/components/actions/feature-switch';
import { Badge } from './badges';

/** Rows shown folded: the features that are on (Codex's defaults are mostly off), at most this many. */
const FOLDED_MAX = 25;

/**
 * Every feature with its stage and value, searchable, folded to the features that are on until
 * "Show all" (or a search) opens the rest. With `controls` (the agent and whether this user may
 * change its settings), each row also gets an on/off switch.
 */
export function FeatureTable({ features, controls }: { features: Feature[]; controls?: { agent: AgentRef; permission: Permission } }) {
  const searchId = useId();
  const tableId = useId();
  const [query, setQuery] = useState('');
  const [only, setOnly] = useState<'all' | 'on' | 'off'>('all');
  const [expanded, setExpanded] = useState(false);
  const on = useMemo(() => features.filter((f) => f.enabled).length, [features]);
  const matching = useMemo(() => {
    const q = query.trim().toLowerCase();
    return features.filter(
      (f) => (!q || f.name.toLowerCase().includes(q) || f.stage.includes(q)) && (only === 'all' || (only === 'on') === f.enabled),
    );
  }, [features, query, only]);
  // A search or a chosen filter shows every match; otherwise the features that are on come first, folded.
  const folded = !expanded && !query.trim() && only === 'all';
  const rows = folded
    ? [...matching].sort((a, b) => Number(b.enabled) - Number(a.enabled)).slice(0, Math.min(FOLDED_MAX, Math.max(on, 5)))
    : matching;
  return (
    <div className="min-w-0">
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400" data-testid="feature-summary">
        {features.length} features: {on} on, {features.length - on} off.
        {folded && rows.length < matching.length ? ` Showing ${rows.length}, the ones that are on first.` : ''}
      </p>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <label htmlFor={searchId} className="text-sm">
          Search features
        </label>
        <input
          id={searchId}
          type="search"
          aria-controls={tableId}
          placeholder="Name or stage…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm sm:max-w-xs dark:border-zinc-700 dark:bg-zinc-900"
        />
        <select
          aria-label="Show features"
          value={only}
          onChange={(e) => setOnly(e.target.value as typeof only)}
          className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        >
          <option value="all">All ({features.length})</option>
          <option value="on">On</option>
          <option value="off">Off</option>
        </select>
      </div>
      <div className="max-h-[32rem] overflow-auto rounded-md border border-zinc-200 dark:border-zinc-800">
        <table id={tableId} className="w-full text-sm" data-testid="feature-table" aria-label="Features">
          <thead className="sticky top-0 bg-zinc-100 text-left text-xs uppercase text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
            <tr>
              <th className="px-3 py-2">Feature</th>
              <th className="px-3 py-2">Stage</th>
              <th className="px-3 py-2">Value</th>
              {controls && (
                <th className="px-3 py-2">
                  <span className="sr-only">Switch</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.name} className="border-t border-zinc-100 dark:border-zinc-800">
                <td className="break-all px-3 py-1.5 font-mono text-xs">{f.name}</td>
                <td className="px-3 py-1.5">
                  <Badge kind={f.stage === 'stable' ? 'neutral' : f.stage === 'under development' ? 'warn' : 'info'}>{f.stage}</Badge>
                </td>
                <td className="px-3 py-1.5">{f.enabled ? <Badge kind="good">on</Badge> : <Badge>off</Badge>}</td>
                {controls && (
                  <td className="px-3 py-1.5">
                    <FeatureSwitch
                      agent={controls.agent}
                      name={f.name}
                      stage={f.stage}
                      enabled={f.enabled}
                      permission={controls.permission}
                      label={`${f.name} for ${controls.agent.namespace}/${controls.agent.name}`}
                      quiet
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="p-3 text-sm text-zinc-500">No feature matches.</p>}
      </div>
      {!query.trim() && only === 'all' && (
        <button
          type="button"
          aria-expanded={!folded}
          aria-controls={tableId}
          onClick={() => setExpanded((v) => !v)}
          className="mt-2 text-sm text-sky-700 hover:underline dark:text-sky-400"
        >
          {folded ? `Show all ${features.length} features` : 'Show fewer'}
        </button>
      )}
    </div>
  );
}
