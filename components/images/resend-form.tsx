'use client';
import { useId, useRef, useState, useTransition } from 'react';
import { resendImageAction } from '@/app/images/actions';
import type { ResendPermission, ResendResult } from './types';
import { DeliveredTo } from './delivered-to';
import { DeniedAction } from '@/components/ui/action-feedback';

const SNOWFLAKE = /^[0-9]{17,20}$/;

export interface ResendTarget {
  cluster: string;
  namespace: string;
  name: string;
  image: string;
  /** The session's thread, else its channel. */
  defaultTarget: string | null;
}

/**
 * Sends an image to Discord again. One click delivers to the session's thread (or channel);
 * the target and a message can be changed first. The button stays disabled while a send
 * runs, and the server sends once per image and target whatever the clicks.
 */
export function ResendForm({
  item,
  permission,
  compact = false,
  onSent,
}: {
  item: ResendTarget;
  permission: ResendPermission;
  compact?: boolean;
  onSent?: (r: ResendResult) => void;
}) {
  const [target, setTarget] = useState(item.defaultTarget ?? '');
  const [message, setMessage] = useState('');
  const [editing, setEditing] = useState(!compact || !item.defaultTarget);
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ResendResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const id = useId();
  const validTarget = SNOWFLAKE.test(target.trim());

  if (!permission.allowed) {
    return <DeniedAction id={id} testId="resend-disabled" label="Send to Discord" reason={permission.reason} />;
  }

  if (result) {
    return (
      <p
        role="status"
        data-testid="resend-result"
        className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
      >
        <DeliveredTo result={result} />
      </p>
    );
  }

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (busy.current || !validTarget) return;
    busy.current = true;
    setError(null);
    startTransition(async () => {
      const r = await resendImageAction({
        clusterId: item.cluster,
        namespace: item.namespace,
        name: item.name,
        image: item.image,
        target: target.trim(),
        message,
      });
      busy.current = false;
      if (r.ok) {
        setResult(r.data);
        onSent?.(r.data);
      } else setError(r.message);
    });
  };

  return (
    <form onSubmit={submit} className="space-y-2" aria-label="Send to Discord" data-testid="resend-form">
      {editing ? (
        <>
          <div>
            <label htmlFor={`${id}-target`} className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
              Channel or thread id
            </label>
            <input
              id={`${id}-target`}
              name="target"
              inputMode="numeric"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              aria-invalid={target !== '' && !validTarget}
              aria-describedby={`${id}-target-help`}
              className="mt-0.5 w-full rounded-md border border-zinc-300 bg-white px-2 py-1 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-950"
            />
            <p
              id={`${id}-target-help`}
              className={`text-xs ${target !== '' && !validTarget ? 'text-red-700 dark:text-red-300' : 'text-zinc-500'}`}
            >
              {target !== '' && !validTarget
                ? 'A Discord id is 17 to 20 digits.'
                : item.defaultTarget
                  ? 'Defaults to the session\u2019s thread (else its channel).'
                  : 'The session named no Discord channel: enter one.'}
            </p>
          </div>
          <div>
            <label htmlFor={`${id}-message`} className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
              Message (optional)
            </label>
            <input
              id={`${id}-message`}
              name="message"
              maxLength={2000}
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              className="mt-0.5 w-full rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950"
            />
          </div>
        </>
      ) : (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          To <code>{target}</code>{' '}
          <button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={() => setEditing(true)}>
            change
          </button>
        </p>
      )}
      <button
        type="submit"
        disabled={pending || !validTarget}
        className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:cursor-not-allowed disabled:opacity-60 dark:bg-sky-600"
      >
        {pending ? 'Sending…' : 'Send to Discord'}
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300" data-testid="resend-error">
          {error}
        </p>
      )}
    </form>
  );
}
