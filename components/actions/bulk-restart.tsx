'use client';
import { useEffect, useState } from 'react';
import type { FleetAgent } from '@/lib/fleet/fleet';
import type { Permission } from '@/lib/operations/access';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { BulkRestartItem } from '@/lib/operations/restart';
import { isRole, roleAtLeast, ROLE_LABELS, type Role } from '@/lib/auth/roles';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
import { ActionError, DisabledReason } from '@/components/ui/action-feedback';
import { bulkRestartAction } from '@/app/agents/[cluster]/[namespace]/[name]/actions';
import { RolloutProgress } from './rollout-progress';

/** The signed-in user's role, from next-auth's session endpoint (null until known). */
export function useSessionRole(): Role | null {
  const [role, setRole] = useState<Role | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/api/auth/session', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((s) => live && isRole(s?.user?.role) && setRole(s.user.role))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return role;
}

/** Operator actions on the overview: allowed from Operator up (the server checks again). */
export function operatorPermission(role: Role | null): Permission {
  if (!role) return { allowed: false, reason: 'Checking your role…' };
  if (roleAtLeast(role, 'operator')) return { allowed: true };
  return {
    allowed: false,
    reason: `Restarting and changing approval mode or features needs the Operator role or higher; you are signed in as ${ROLE_LABELS[role]}.`,
  };
}

export const refOf = (a: FleetAgent): AgentRef => ({ clusterId: a.clusterId, namespace: a.workload.namespace, name: a.workload.name });

export function BulkRestartBar({
  agents,
  visibleKeys,
  permission,
  onSelectAll,
  onClear,
  onFinished,
  children,
}: {
  agents: FleetAgent[];
  visibleKeys: string[];
  permission: Permission;
  onSelectAll: (keys: string[]) => void;
  onClear: () => void;
  onFinished: () => void;
  /** Other bulk actions on the same selection, shown in the same bar. */
  children?: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<BulkRestartItem[] | null>(null);
  const recreate = agents.some((a) => a.workload.strategy === 'Recreate');

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const res = await bulkRestartAction({ agents: agents.map(refOf) });
    setBusy(false);
    setOpen(false);
    if (!res.ok) return setError(res.message);
    setResults(res.data);
    onClear();
  };

  return (
    <div className="space-y-2">
      <div
        role="region"
        aria-label="Bulk actions"
        className="flex flex-wrap items-center gap-2 rounded-md border border-zinc-200 bg-white px-3 py-2 text-sm dark:border-zinc-800 dark:bg-zinc-900"
      >
        <span data-testid="selected-count">{agents.length} selected</span>
        <button
          type="button"
          className={buttonClass.secondary}
          onClick={() => onSelectAll(visibleKeys)}
          disabled={visibleKeys.length === 0}
        >
          Select all shown
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onClear} disabled={agents.length === 0}>
          Clear
        </button>
        <button
          type="button"
          className={buttonClass.danger}
          disabled={!permission.allowed || agents.length === 0 || busy}
          onClick={() => setOpen(true)}
          aria-describedby={!permission.allowed ? 'bulk-disabled-reason' : undefined}
        >
          Restart selected
        </button>
        {children}
        <DisabledReason
          id="bulk-disabled-reason"
          testId="bulk-disabled-reason"
          permission={permission}
          className="text-zinc-600 dark:text-zinc-400"
        />
      </div>
      <ActionError>{error}</ActionError>
      {results && (
        <div
          className="rounded-md border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
          data-testid="bulk-restart-results"
        >
          <div className="mb-2 flex items-center justify-between gap-2">
            <h2 className="text-sm font-semibold">
              Restarting {results.length} agent{results.length === 1 ? '' : 's'}
            </h2>
            <button type="button" className="text-xs text-sky-700 hover:underline dark:text-sky-400" onClick={() => setResults(null)}>
              Dismiss
            </button>
          </div>
          <ul className="space-y-1.5">
            {results.map((item) => (
              <li
                key={`${item.ref.clusterId}/${item.ref.namespace}/${item.ref.name}`}
                data-testid="bulk-restart-item"
                data-agent={`${item.ref.namespace}/${item.ref.name}`}
                className="flex flex-wrap items-baseline gap-x-3"
              >
                <span className="font-mono text-xs">
                  {item.ref.namespace}/{item.ref.name}
                </span>
                <span className="min-w-0 flex-1">
                  {item.ok ? (
                    <>
                      {item.result.status === 'already-restarting' && (
                        <span className="text-xs text-amber-800 dark:text-amber-300">Was already restarting; not restarted again. </span>
                      )}
                      <RolloutProgress
                        compact
                        agent={item.ref}
                        initial={item.result.status === 'already-restarting' ? item.result.rollout : null}
                        onDone={onFinished}
                      />
                    </>
                  ) : (
                    <span role="alert" className="text-xs text-red-700 dark:text-red-300">
                      {item.error}
                    </span>
                  )}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ConfirmDialog
        open={open}
        title={`Restart ${agents.length} agent${agents.length === 1 ? '' : 's'}?`}
        confirmLabel="Restart all"
        tone="danger"
        busy={busy}
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
      >
        <p>Each of these agents gets a new pod:</p>
        <ul className="max-h-40 list-disc overflow-auto pl-5 font-mono text-xs">
          {agents.map((a) => (
            <li key={a.key}>
              {a.workload.namespace}/{a.workload.name}
            </li>
          ))}
        </ul>
        {recreate && (
          <p>
            Their Deployments use the <strong>Recreate</strong> strategy: each agent is offline for a short while and conversations in
            progress are cut off.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
