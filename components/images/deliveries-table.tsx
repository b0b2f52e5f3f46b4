'use client';
import { useState, useTransition } from 'react';
import { resendManyAction } from '@/app/deliveries/actions';
import { RelativeTime } from '@/components/ui/relative-time';
import { ResendForm } from './resend-form';
import type { BulkResendOutcome, ResendPermission } from './types';
import { DeliveredTo } from './delivered-to';
import { Thumbnail } from './thumbnail';

export interface DeliveryRow {
  id: string;
  cluster: string;
  namespace: string;
  agent: string;
  image: string;
  file: string;
  session: string;
  kind: 'failed' | 'never-sent';
  target: string | null;
  attemptedTarget: string | null;
  /** The target's channel or thread name, where the agent's bot may read it. */
  targetName?: string | null;
  at: string;
  error: string;
  attempts: number;
  thumbUrl: string;
  fullUrl: string;
  redelivered: { messageId: string; channelId: string; link: string | null; by: string; at: string } | null;
}

/** Every image that did not reach Discord, with why, a one-click delivery, and several at once. */
export function DeliveriesTable({ rows, permission }: { rows: DeliveryRow[]; permission: ResendPermission }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Map<string, BulkResendOutcome>>(new Map());
  const [bulkError, setBulkError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  if (rows.length === 0)
    return (
      <p className="text-sm text-zinc-500" data-testid="deliveries-empty">
        Nothing failed: every generated image reached Discord.
      </p>
    );
  const selectable = rows.filter((r) => permission.allowed && !r.redelivered && r.target && !outcomes.get(r.id)?.ok);
  const chosen = selectable.filter((r) => selected.has(r.id));
  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const resendSelected = () => {
    setBulkError(null);
    startTransition(async () => {
      const answer = await resendManyAction({
        items: chosen.map((r) => ({
          id: r.id,
          clusterId: r.cluster,
          namespace: r.namespace,
          name: r.agent,
          image: r.image,
          target: r.target!,
        })),
      });
      if (!answer.ok) {
        setBulkError(answer.message);
        return;
      }
      setOutcomes((prev) => new Map([...prev, ...answer.data.map((o) => [o.id, o] as const)]));
      setSelected(new Set());
    });
  };
  return (
    <>
      {permission.allowed && (
        <div
          className="flex flex-wrap items-center gap-3 rounded-lg border border-zinc-200 bg-white p-2 text-sm dark:border-zinc-800 dark:bg-zinc-900"
          role="group"
          aria-label="Re-send several"
        >
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={selectable.length > 0 && chosen.length === selectable.length}
              onChange={(e) => setSelected(e.target.checked ? new Set(selectable.map((r) => r.id)) : new Set())}
              disabled={pending || selectable.length === 0}
            />
            Select all on this page
          </label>
          <button
            type="button"
            onClick={resendSelected}
            disabled={pending || chosen.length === 0}
            className="rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white disabled:cursor-not-allowed disabled:opacity-50 dark:bg-sky-600"
          >
            {pending ? `Re-sending ${chosen.length}…` : `Re-send selected (${chosen.length})`}
          </button>
          {bulkError && (
            <p role="alert" className="text-red-800 dark:text-red-300">
              {bulkError}
            </p>
          )}
        </div>
      )}
      <ul
        className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
        data-testid="deliveries"
      >
        {rows.map((row) => (
          <li
            key={row.id}
            className="flex flex-col gap-3 p-3 sm:flex-row"
            data-testid="delivery"
            data-image={row.image}
            data-agent={`${row.namespace}/${row.agent}`}
            data-kind={row.kind}
            data-redelivered={row.redelivered ? '1' : '0'}
          >
            {selectable.includes(row) && (
              <input
                type="checkbox"
                aria-label={`Select ${row.file} of ${row.namespace}/${row.agent}`}
                checked={selected.has(row.id)}
                onChange={(e) => toggle(row.id, e.target.checked)}
                disabled={pending}
                className="mt-1 self-start"
              />
            )}
            <a href={row.fullUrl} target="_blank" rel="noreferrer" className="shrink-0">
              <Thumbnail src={row.thumbUrl} file={row.file} />
            </a>
            <div className="min-w-0 flex-1 space-y-1 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <span
                  className={`rounded px-1.5 py-0.5 text-xs font-medium ${row.kind === 'failed' ? 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200' : 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200'}`}
                >
                  {row.kind === 'failed' ? 'upload failed' : 'never sent'}
                </span>
                {row.redelivered && (
                  <span
                    className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
                    data-testid="redelivered-badge"
                  >
                    re-delivered
                  </span>
                )}
                <span className="font-medium">
                  {row.namespace}/{row.agent}
                </span>
                <code className="truncate text-xs text-zinc-500">{row.file}</code>
              </div>
              <p className="text-zinc-800 dark:text-zinc-200" data-testid="delivery-error">
                {row.error}
              </p>
              <p className="text-xs text-zinc-500">
                <RelativeTime iso={row.at} suffix=" ago" /> · session <code>{row.session}</code> · to <code>{row.target ?? 'unknown'}</code>
                {row.targetName ? (
                  <>
                    {' '}
                    (<span data-testid="target-name">#{row.targetName}</span>)
                  </>
                ) : null}
                {row.attemptedTarget && row.attemptedTarget !== row.target ? (
                  <>
                    {' '}
                    (tried <code>{row.attemptedTarget}</code>)
                  </>
                ) : null}
                {row.attempts > 1 ? ` · ${row.attempts} attempts` : ''}
              </p>
              {outcomes.has(row.id) && <BulkOutcome outcome={outcomes.get(row.id)!} />}
              {row.redelivered && (
                <p className="text-xs text-emerald-800 dark:text-emerald-300">
                  Re-delivered by {row.redelivered.by} <RelativeTime iso={row.redelivered.at} suffix=" ago" /> —{' '}
                  {row.redelivered.link ? (
                    <a href={row.redelivered.link} className="underline" target="_blank" rel="noreferrer">
                      open the message
                    </a>
                  ) : (
                    <>
                      message <code>{row.redelivered.messageId}</code>
                    </>
                  )}
                </p>
              )}
            </div>
            {!row.redelivered && !outcomes.get(row.id)?.ok && (
              <div className="w-full sm:w-72">
                <ResendForm
                  compact
                  item={{ cluster: row.cluster, namespace: row.namespace, name: row.agent, image: row.image, defaultTarget: row.target }}
                  permission={permission}
                />
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function BulkOutcome({ outcome }: { outcome: BulkResendOutcome }) {
  if (!outcome.ok) {
    return (
      <p
        role="status"
        data-testid="bulk-result"
        data-ok="0"
        className="rounded-md bg-red-50 px-2 py-1 text-xs text-red-900 dark:bg-red-950 dark:text-red-200"
      >
        Not sent: {outcome.error}
      </p>
    );
  }
  const r = outcome.result;
  return (
    <p
      role="status"
      data-testid="bulk-result"
      data-ok="1"
      className="rounded-md bg-emerald-50 px-2 py-1 text-xs text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
    >
      <DeliveredTo result={r} />
    </p>
  );
}
