'use client';
import { useId, useState } from 'react';
import type { FleetAgent } from '@/lib/fleet/fleet';
import type { Permission } from '@/lib/operations/access';
import type { BulkApprovalItem } from '@/lib/operations/bulk-approval';
import { agentKey } from '@/lib/operations/agent-ref';
import { APPROVAL_LABELS } from '@/components/agents/badges';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
import { refOf } from '@/components/actions/bulk-restart';
import { bulkApprovalModeAction } from '@/app/actions';

const MODES = ['manual', 'auto-review', 'full-access'] as const;
type Mode = (typeof MODES)[number];

const currentMode = (a: FleetAgent): string =>
  a.probe?.approval.ok ? (APPROVAL_LABELS[a.probe.approval.mode] ?? a.probe.approval.mode) : 'unknown';

/** Results of the last bulk change by agent key, for each agent's row or card to show beside it. */
export type BulkApprovalResults = Map<string, BulkApprovalItem>;

/**
 * Sets one approval mode on the selected agents: the person picks a mode, the dialog says what
 * changes for each agent, and each agent's own outcome comes back (the server checks the role
 * and each agent's access again, whatever this form offers).
 */
export function BulkApprovalControl({
  agents,
  permission,
  selectClass,
  onResults,
  onFinished,
}: {
  agents: FleetAgent[];
  permission: Permission;
  selectClass: string;
  onResults: (results: BulkApprovalResults | null) => void;
  onFinished: () => void;
}) {
  const [mode, setMode] = useState<Mode>('manual');
  const [replaceCustom, setReplaceCustom] = useState(false);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<string | null>(null);
  const customId = useId();
  const anyCustom = agents.some((a) => a.probe?.approval.ok && a.probe.approval.mode === 'custom');

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const res = await bulkApprovalModeAction({ agents: agents.map(refOf), mode, replaceCustom });
    setBusy(false);
    setOpen(false);
    if (!res.ok) return setError(res.message);
    onResults(new Map(res.data.map((item) => [agentKey(item.ref), item])));
    const failed = res.data.filter((i) => !i.ok).length;
    setSummary(
      `Approval mode: ${res.data.length - failed} of ${res.data.length} agent${res.data.length === 1 ? '' : 's'} on ${APPROVAL_LABELS[mode]}${failed ? `, ${failed} not changed (reason beside each)` : ''}.`,
    );
    onFinished();
  };

  return (
    <>
      <select
        aria-label="Mode to set on the selected agents"
        className={selectClass}
        value={mode}
        onChange={(e) => setMode(e.target.value as Mode)}
        disabled={!permission.allowed}
      >
        {MODES.map((m) => (
          <option key={m} value={m}>
            {APPROVAL_LABELS[m]}
          </option>
        ))}
      </select>
      <button
        type="button"
        className={buttonClass.primary}
        disabled={!permission.allowed || agents.length === 0 || busy}
        onClick={() => setOpen(true)}
      >
        Set approval mode…
      </button>
      {summary && (
        <span role="status" data-testid="bulk-approval-summary" className="basis-full text-zinc-700 dark:text-zinc-300">
          {summary}{' '}
          <button
            type="button"
            className="text-xs text-sky-700 hover:underline dark:text-sky-400"
            onClick={() => {
              setSummary(null);
              onResults(null);
            }}
          >
            Dismiss
          </button>
        </span>
      )}
      {error && (
        <span role="alert" className="basis-full text-red-700 dark:text-red-300">
          {error}
        </span>
      )}
      <ConfirmDialog
        open={open}
        title={`Set ${agents.length} agent${agents.length === 1 ? '' : 's'} to ${APPROVAL_LABELS[mode]}?`}
        confirmLabel={`Set ${APPROVAL_LABELS[mode]}`}
        tone={mode === 'full-access' ? 'danger' : 'primary'}
        busy={busy}
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
      >
        <p>The approval mode in each agent&apos;s config.toml changes as follows:</p>
        <ul className="max-h-40 list-disc overflow-auto pl-5 text-xs" aria-label="Changes">
          {agents.map((a) => (
            <li key={a.key}>
              <span className="font-mono">
                {a.workload.namespace}/{a.workload.name}
              </span>
              : {currentMode(a)} → {APPROVAL_LABELS[mode]}
            </li>
          ))}
        </ul>
        {mode === 'full-access' && (
          <p className="font-medium text-red-800 dark:text-red-300">
            Full access lets Codex run any command without asking, with no sandbox.
          </p>
        )}
        {anyCustom && (
          <label htmlFor={customId} className="flex items-center gap-2">
            <input id={customId} type="checkbox" checked={replaceCustom} onChange={(e) => setReplaceCustom(e.target.checked)} />
            Replace custom settings (otherwise agents with one are left as they are)
          </label>
        )}
        <p>New conversations use the new mode; conversations already running keep the old one until the agent restarts.</p>
      </ConfirmDialog>
    </>
  );
}

/** One agent's outcome of the last bulk change, shown beside it. */
export function BulkResult({ item }: { item: BulkApprovalItem }) {
  return item.ok ? (
    <span data-testid="bulk-approval-result" data-ok="true" className="text-xs text-emerald-800 dark:text-emerald-300">
      ✓ {item.result.message}
    </span>
  ) : (
    <span data-testid="bulk-approval-result" data-ok="false" className="text-xs text-red-700 dark:text-red-300">
      ✗ {item.error}
    </span>
  );
}
