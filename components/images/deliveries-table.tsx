'use client';
import { ResendForm } from './resend-form';
import type { ResendPermission } from './types';

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
  at: string;
  error: string;
  attempts: number;
  thumbUrl: string;
  fullUrl: string;
  redelivered: { messageId: string; channelId: string; link: string | null; by: string; at: string } | null;
}

/** Every image that did not reach Discord, with why, and a one-click delivery. */
export function DeliveriesTable({ rows, permission }: { rows: DeliveryRow[]; permission: ResendPermission }) {
  if (rows.length === 0) return <p className="text-sm text-zinc-500" data-testid="deliveries-empty">Nothing failed: every generated image reached Discord.</p>;
  return (
    <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900" data-testid="deliveries">
      {rows.map((row) => (
        <li key={row.id} className="flex flex-col gap-3 p-3 sm:flex-row" data-testid="delivery" data-image={row.image} data-kind={row.kind} data-redelivered={row.redelivered ? '1' : '0'}>
          <a href={row.fullUrl} target="_blank" rel="noreferrer" className="shrink-0">
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={row.thumbUrl} alt={`Generated image ${row.file}`} width={96} height={96} loading="lazy" className="h-24 w-24 rounded-md border border-zinc-200 object-cover dark:border-zinc-800" />
          </a>
          <div className="min-w-0 flex-1 space-y-1 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${row.kind === 'failed' ? 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200' : 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200'}`}>
                {row.kind === 'failed' ? 'upload failed' : 'never sent'}
              </span>
              {row.redelivered && <span className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200" data-testid="redelivered-badge">re-delivered</span>}
              <span className="font-medium">{row.namespace}/{row.agent}</span>
              <code className="truncate text-xs text-zinc-500">{row.file}</code>
            </div>
            <p className="text-zinc-800 dark:text-zinc-200" data-testid="delivery-error">{row.error}</p>
            <p className="text-xs text-zinc-500">
              {new Date(row.at).toUTCString()} · session <code>{row.session}</code> · to <code>{row.target ?? 'unknown'}</code>
              {row.attemptedTarget && row.attemptedTarget !== row.target ? <> (tried <code>{row.attemptedTarget}</code>)</> : null}
              {row.attempts > 1 ? ` · ${row.attempts} attempts` : ''}
            </p>
            {row.redelivered && (
              <p className="text-xs text-emerald-800 dark:text-emerald-300">
                Re-delivered by {row.redelivered.by} at {row.redelivered.at} —{' '}
                {row.redelivered.link ? <a href={row.redelivered.link} className="underline" target="_blank" rel="noreferrer">open the message</a> : <>message <code>{row.redelivered.messageId}</code></>}
              </p>
            )}
          </div>
          {!row.redelivered && (
            <div className="w-full sm:w-72">
              <ResendForm compact item={{ cluster: row.cluster, namespace: row.namespace, name: row.agent, image: row.image, defaultTarget: row.target }} permission={permission} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
