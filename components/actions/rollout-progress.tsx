'use client';
import { useEffect, useState } from 'react';
import type { RolloutPhase, RolloutStatus } from '@/lib/k8s/rollout';
import type { AgentRef } from '@/lib/operations/agent-ref';
import { agentApiPath } from './agent-url';

const STEPS: Array<{ phase: RolloutPhase; label: string }> = [
  { phase: 'terminating-old', label: 'Old pod terminating' },
  { phase: 'pending', label: 'New pod pending' },
  { phase: 'starting', label: 'New pod running' },
  { phase: 'ready', label: 'Ready' },
];

export const PHASE_LABEL: Record<RolloutPhase, string> = {
  idle: 'Idle',
  'terminating-old': 'Old pod terminating',
  pending: 'New pod pending',
  starting: 'New pod running',
  ready: 'Ready',
  failed: 'Failed',
};

const POLL_MS = 1000;

/**
 * Follows a rollout through the guarded status route until it is done or failed. The state
 * lives in the Deployment, so a reloaded page picks up where it was.
 */
export function RolloutProgress({
  agent,
  initial,
  compact = false,
  onDone,
}: {
  agent: AgentRef;
  initial: RolloutStatus | null;
  compact?: boolean;
  onDone?: (status: RolloutStatus) => void;
}) {
  const [status, setStatus] = useState<RolloutStatus | null>(initial);
  const [pollError, setPollError] = useState<string | null>(null);
  const [retries, setRetries] = useState(0);
  const url = `${agentApiPath(agent)}/rollout`;

  useEffect(() => {
    if (status?.done) {
      onDone?.(status);
      return;
    }
    let stopped = false;
    const timer = setTimeout(
      async () => {
        try {
          const res = await fetch(url, { cache: 'no-store' });
          const body = await res.json().catch(() => ({}));
          if (stopped) return;
          if (!res.ok) {
            setPollError(
              res.status === 401
                ? 'Your session has ended: sign in again to follow the restart.'
                : `Progress could not be read: ${body.error ?? `HTTP ${res.status}`}. Retrying…`,
            );
            if (res.status === 401 || res.status === 403 || res.status === 404) return;
            setRetries((n) => n + 1);
            return;
          }
          setPollError(null);
          setStatus(body as RolloutStatus);
        } catch {
          if (!stopped) {
            setPollError('Progress could not be read (network). Retrying…');
            setRetries((n) => n + 1);
          }
        }
      },
      status || retries ? POLL_MS : 0,
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // Each new status (a fresh object) schedules the next poll.
  }, [status, retries, url]); // eslint-disable-line react-hooks/exhaustive-deps

  const phase = status?.phase ?? 'terminating-old';
  const reached = phase === 'failed' ? -1 : STEPS.findIndex((s) => s.phase === phase);
  const tone = status?.failed
    ? 'text-red-800 dark:text-red-300'
    : status?.done
      ? 'text-emerald-800 dark:text-emerald-300'
      : 'text-zinc-700 dark:text-zinc-300';

  return (
    <div
      data-testid="rollout-progress"
      data-phase={phase}
      data-done={status?.done ? 'true' : 'false'}
      className={compact ? 'text-xs' : 'text-sm'}
    >
      {!compact && (
        <ol className="mb-2 flex flex-wrap gap-1" aria-label="Restart progress">
          {STEPS.map((step, i) => {
            const done = reached > i || (reached === i && status?.done);
            const current = reached === i && !status?.done;
            return (
              <li
                key={step.phase}
                aria-current={current ? 'step' : undefined}
                className={`rounded px-2 py-0.5 text-xs ${done ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200' : current ? 'bg-sky-100 font-medium text-sky-900 dark:bg-sky-950 dark:text-sky-200' : 'bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400'}`}
              >
                {done ? '✓ ' : current ? '… ' : ''}
                {step.label}
              </li>
            );
          })}
        </ol>
      )}
      <p role="status" aria-live="polite" className={tone}>
        <span data-testid="rollout-phase" className="font-medium">
          {status?.failed ? 'Restart failed' : status?.done ? 'Restarted: ready' : PHASE_LABEL[phase]}
        </span>
        {status && (
          <span data-testid="rollout-message">
            {' — '}
            {status.message}
          </span>
        )}
      </p>
      {status?.failed && !compact && (
        <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          Check the pod&apos;s log and events below; fix the cause, then restart again.
        </p>
      )}
      {pollError && <p className="mt-1 text-xs text-amber-700 dark:text-amber-300">{pollError}</p>}
    </div>
  );
}
