'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { Permission } from '@/lib/operations/access';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { setFeatureAction } from '@/app/agents/[cluster]/[namespace]/[name]/actions';

const isUnstable = (stage: string) => stage === 'under development' || stage === 'experimental';

/** Runs a feature change with the under-development warning first; shared by the switch and the picker. */
export function useFeatureChange(agent: AgentRef, onChanged?: (enabled: boolean) => void) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<{ name: string; stage: string } | null>(null);

  const run = async (name: string, enabled: boolean, confirmUnstable: boolean) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const res = await setFeatureAction({ ...agent, feature: name, enabled, confirmUnstable });
    setBusy(false);
    setPending(null);
    if (!res.ok) return setError(res.message);
    if (res.data.status === 'confirm-unstable') return setPending({ name, stage: res.data.stage });
    setNotice(
      res.data.status === 'changed' && res.data.warning ? `${res.data.message} Codex warns: ${res.data.warning}` : res.data.message,
    );
    onChanged?.(enabled);
    router.refresh();
  };

  const request = (name: string, stage: string, enabled: boolean) => {
    if (enabled && isUnstable(stage)) setPending({ name, stage });
    else void run(name, enabled, false);
  };

  // Mounted only while asking: a table of switches does not carry a dialog per row.
  const dialog = pending && (
    <ConfirmDialog
      open
      title={`Turn on ${pending?.name ?? ''}?`}
      confirmLabel="Turn it on"
      tone="danger"
      busy={busy}
      onConfirm={() => pending && run(pending.name, true, true)}
      onCancel={() => setPending(null)}
    >
      <p>
        <strong>{pending?.name}</strong> is {pending?.stage === 'experimental' ? 'experimental' : 'still under development'} in this Codex
        version: it may change, misbehave or disappear without notice, on an agent that serves real users.
      </p>
    </ConfirmDialog>
  );
  return { busy, error, notice, request, dialog };
}

/** An on/off switch for one Codex feature of one agent (disabled with the reason when not allowed). */
export function FeatureSwitch({
  agent,
  name,
  stage,
  enabled,
  permission,
  label,
  quiet = false,
  onChanged,
}: {
  agent: AgentRef;
  name: string;
  stage: string;
  enabled: boolean | null;
  permission: Permission;
  /** The accessible name, e.g. "Image generation for agents/openab-codex". */
  label: string;
  /** No inline success notice (cards in a grid). */
  quiet?: boolean;
  onChanged?: (enabled: boolean) => void;
}) {
  const [value, setValue] = useState(enabled);
  const [seen, setSeen] = useState(enabled);
  if (enabled !== seen) {
    setSeen(enabled);
    setValue(enabled);
  }
  const change = useFeatureChange(agent, (on) => {
    setValue(on);
    onChanged?.(on);
  });
  const unknown = value === null;
  const disabled = !permission.allowed || unknown || change.busy;
  const title = !permission.allowed ? permission.reason : unknown ? 'The current value is not known (Codex could not be read).' : undefined;
  return (
    <span className="inline-flex flex-col gap-1">
      <span className="inline-flex items-center gap-2">
        <button
          type="button"
          role="switch"
          aria-checked={value === true}
          aria-label={label}
          title={title}
          disabled={disabled}
          data-testid={`feature-switch-${name}`}
          onClick={() => change.request(name, stage, !value)}
          className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-50 ${value ? 'bg-emerald-600 dark:bg-emerald-500' : 'bg-zinc-300 dark:bg-zinc-600'}`}
        >
          <span
            aria-hidden
            className={`inline-block h-4 w-4 rounded-full bg-white shadow transition-transform ${value ? 'translate-x-4' : 'translate-x-0.5'}`}
          />
        </button>
        {change.busy && <span className="text-xs text-zinc-500">Saving…</span>}
      </span>
      {change.error && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {change.error}
        </span>
      )}
      {!quiet && change.notice && (
        <span role="status" className="text-xs text-emerald-800 dark:text-emerald-300">
          {change.notice}
        </span>
      )}
      {change.dialog}
    </span>
  );
}
