'use client';
import { useState } from 'react';
import type { RolloutStatus } from '@/lib/k8s/rollout';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { Permission } from '@/lib/operations/access';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
import { ActionError, PermittedButton } from '@/components/ui/action-feedback';
import { restartAgentAction } from '@/app/agents/[cluster]/[namespace]/[name]/actions';
import { RolloutProgress } from './rollout-progress';

/** The restart button, its confirmation and the rollout's live progress. */
export function RestartControl({
  agent,
  strategy,
  permission,
  initialRollout,
  openSignal = 0,
}: {
  agent: AgentRef;
  strategy: string;
  permission: Permission;
  /** A rollout under way (or just finished) when the page was rendered. */
  initialRollout: RolloutStatus | null;
  /** Bumped by another control (the approval form's "Restart now") to open the dialog. */
  openSignal?: number;
}) {
  const label = `${agent.namespace}/${agent.name}`;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ key: number; initial: RolloutStatus | null } | null>(
    initialRollout ? { key: 0, initial: initialRollout } : null,
  );
  const [running, setRunning] = useState(Boolean(initialRollout && !initialRollout.done));
  const [lastSignal, setLastSignal] = useState(openSignal);
  if (openSignal !== lastSignal) {
    setLastSignal(openSignal);
    if (permission.allowed && !running) setOpen(true);
  }

  const confirm = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const res = await restartAgentAction(agent);
    setBusy(false);
    setOpen(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setRunning(true);
    if (res.data.status === 'already-restarting') {
      setNotice(res.data.message);
      setProgress((p) => ({ key: (p?.key ?? 0) + 1, initial: res.data.status === 'already-restarting' ? res.data.rollout : null }));
    } else {
      setProgress((p) => ({ key: (p?.key ?? 0) + 1, initial: null }));
    }
  };

  const reasonId = `restart-reason-${agent.name}`;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <PermittedButton
          className={buttonClass.danger}
          permission={permission}
          reasonId={reasonId}
          reasonTestId="restart-disabled-reason"
          disabled={running}
          onClick={() => setOpen(true)}
        >
          {running ? 'Restarting…' : 'Restart agent'}
        </PermittedButton>
      </div>
      {notice && (
        <p className="text-sm text-amber-800 dark:text-amber-300" role="status">
          {notice}
        </p>
      )}
      <ActionError>{error}</ActionError>
      {progress && <RolloutProgress key={progress.key} agent={agent} initial={progress.initial} onDone={() => setRunning(false)} />}
      <ConfirmDialog
        open={open}
        title={`Restart ${label}?`}
        confirmLabel="Restart"
        tone="danger"
        busy={busy}
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
      >
        <p>
          The agent <strong>{label}</strong> restarts: its pod is replaced by a new one.
        </p>
        {strategy === 'Recreate' ? (
          <p>
            Its Deployment uses the <strong>Recreate</strong> strategy: the old pod stops before the new one starts, so the agent is offline
            for a short while (usually under a minute) and conversations in progress are cut off.
          </p>
        ) : (
          <p>Conversations in progress in the old pod are cut off.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
