'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { ApprovalFormState, CurrentMode } from '@/lib/operations/approval-mode';
import type { ApprovalMode } from '@/lib/codex/approval-modes';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { Permission } from '@/lib/operations/access';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
import { setApprovalModeAction } from '@/app/agents/[cluster]/[namespace]/[name]/actions';

const MODES: Array<{ mode: ApprovalMode; label: string; help: string }> = [
  { mode: 'manual', label: 'Manual', help: 'Codex asks a person before commands that need approval.' },
  {
    mode: 'auto-review',
    label: 'Auto-review',
    help: 'A reviewer model approves or refuses instead of waiting for a person. Recommended for unattended agents.',
  },
  { mode: 'full-access', label: 'Full access', help: 'No approvals and no sandbox: Codex may run anything in the pod.' },
];

const LABEL: Record<CurrentMode, string> = {
  manual: 'Manual',
  'auto-review': 'Auto-review',
  'full-access': 'Full access',
  custom: 'Custom',
  default: "Codex's default (not set)",
};

type Message = { kind: 'ok' | 'warn' | 'error'; text: string; offerRestart?: boolean };

/** Manual / Auto-review / Full access, with the compare-and-swap token of the file it was opened on. */
export function ApprovalForm({
  agent,
  form,
  probedMode = null,
  permission,
  onRestart,
}: {
  agent: AgentRef;
  form: ApprovalFormState | null;
  /** The mode the probe read: what someone who may not change it still sees. */
  probedMode?: CurrentMode | null;
  permission: Permission;
  onRestart: () => void;
}) {
  const router = useRouter();
  const opened = form?.ok ? form : null;
  const [current, setCurrent] = useState<CurrentMode | null>(opened?.mode ?? probedMode);
  const [hash, setHash] = useState(opened?.hash ?? '');
  const [choice, setChoice] = useState<ApprovalMode | null>(current && current !== 'custom' && current !== 'default' ? current : null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [confirmCustom, setConfirmCustom] = useState(false);

  const disabledReason = !permission.allowed ? permission.reason : form && !form.ok ? form.error : null;
  const disabled = Boolean(disabledReason) || !opened;

  const [guideMistake, setGuideMistake] = useState(opened?.guideMistake ?? null);

  const submit = async (replaceCustom: boolean, mode = choice, repairGuide = false) => {
    if (!mode) return;
    setBusy(true);
    setMessage(null);
    const res = await setApprovalModeAction({ ...agent, mode, baseHash: hash, replaceCustom, repairGuide });
    setBusy(false);
    setConfirmCustom(false);
    if (!res.ok) {
      setMessage({ kind: 'error', text: res.message });
      return;
    }
    const r = res.data;
    setHash(r.hash);
    switch (r.status) {
      case 'changed':
        setCurrent(r.after);
        if (repairGuide) setGuideMistake(null);
        setMessage({ kind: 'ok', text: r.message, offerRestart: true });
        router.refresh();
        break;
      case 'unchanged':
        setMessage({ kind: 'ok', text: r.message });
        break;
      case 'conflict':
        // The user's choice stays selected; the form now compares against the new file.
        setCurrent(r.current);
        setMessage({ kind: 'warn', text: r.message });
        break;
      case 'confirm-custom':
        setCurrent(r.current);
        setConfirmCustom(true);
        break;
    }
  };

  // A guide mistake is repaired by any save: its leftovers are what Codex ignores or refuses.
  const onSave = () => (guideMistake ? submit(true, choice, true) : current === 'custom' ? setConfirmCustom(true) : submit(false));

  return (
    <form
      data-testid="approval-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
      className="min-w-0 space-y-3"
    >
      <fieldset className="min-w-0" disabled={disabled || busy} aria-describedby={disabledReason ? 'approval-disabled-reason' : undefined}>
        <legend className="text-sm font-medium">
          Approval mode
          {current && (
            <span className="font-normal text-zinc-600 dark:text-zinc-400">
              {' '}
              — now <span data-testid="approval-current">{LABEL[current]}</span>
            </span>
          )}
        </legend>
        {guideMistake && (
          <div
            role="alert"
            className="mt-2 rounded-md bg-red-50 p-2 text-xs text-red-900 dark:bg-red-950 dark:text-red-200"
            data-testid="approval-guide-mistake-form"
          >
            <p className="font-medium">{guideMistake.explanation}</p>
            <p className="mt-1">
              {guideMistake.meant
                ? `Repair writes the keys Codex reads for ${LABEL[guideMistake.meant]}${guideMistake.kind === 'sandbox-table' ? ' and removes the [sandbox] table' : ''}; Codex in the pod checks the result, and the file is put back if it refuses.`
                : 'The value names no mode the dashboard knows: choose one below and save; saving also removes what Codex ignores or refuses.'}
            </p>
            {guideMistake.meant && (
              <button type="button" className={`${buttonClass.primary} mt-2`} onClick={() => submit(true, guideMistake.meant, true)}>
                {`Repair: switch to ${LABEL[guideMistake.meant]}`}
              </button>
            )}
          </div>
        )}
        {current === 'custom' && opened && !guideMistake && (
          <div
            className="mt-2 rounded-md bg-amber-50 p-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200"
            data-testid="approval-custom"
          >
            <p className="font-medium">
              This agent has a custom setting, shown as it is; saving a mode replaces it (you will be asked first).
            </p>
            <code className="mt-1 block break-all">
              approval_policy = {JSON.stringify(opened.keys.approvalPolicy)}
              {opened.keys.approvalsReviewer !== null && <>; approvals_reviewer = {JSON.stringify(opened.keys.approvalsReviewer)}</>}
              {opened.keys.sandboxMode !== null && <>; sandbox_mode = {JSON.stringify(opened.keys.sandboxMode)}</>}
            </code>
          </div>
        )}
        <div className="mt-2 grid gap-2 sm:grid-cols-3">
          {MODES.map((m) => (
            <label
              key={m.mode}
              className={`flex cursor-pointer gap-2 rounded-md border p-2 text-sm has-[:checked]:border-sky-600 has-[:checked]:bg-sky-50 has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-60 dark:has-[:checked]:bg-sky-950 ${m.mode === 'full-access' ? 'border-red-200 dark:border-red-900' : 'border-zinc-200 dark:border-zinc-700'}`}
            >
              <input
                type="radio"
                name="mode"
                value={m.mode}
                checked={choice === m.mode}
                onChange={() => setChoice(m.mode)}
                className="mt-0.5"
              />
              <span>
                <span className="font-medium">{m.label}</span>
                {current === m.mode && <span className="ml-1 text-xs text-zinc-500">(current)</span>}
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">{m.help}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {disabledReason && (
        <p id="approval-disabled-reason" data-testid="approval-disabled-reason" className="text-sm text-zinc-600 dark:text-zinc-400">
          {disabledReason}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={buttonClass.primary} disabled={disabled || busy || !choice}>
          {busy ? 'Saving…' : 'Save approval mode'}
        </button>
        {opened && !opened.configExists && (
          <span className="text-xs text-zinc-500">There is no config.toml yet: saving creates it with just these keys.</span>
        )}
      </div>
      {message && (
        <div
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid="approval-message"
          className={`rounded-md px-3 py-2 text-sm ${message.kind === 'ok' ? 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200' : message.kind === 'warn' ? 'bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200' : 'bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-200'}`}
        >
          <p className="whitespace-pre-wrap">{message.text}</p>
          {message.offerRestart && (
            <button type="button" className={`${buttonClass.secondary} mt-2`} onClick={onRestart}>
              Restart now to apply it everywhere
            </button>
          )}
        </div>
      )}
      <ConfirmDialog
        open={confirmCustom}
        title="Replace the custom approval setting?"
        confirmLabel={`Replace with ${MODES.find((m) => m.mode === choice)?.label ?? 'this mode'}`}
        busy={busy}
        onConfirm={() => submit(true)}
        onCancel={() => setConfirmCustom(false)}
      >
        <p>
          {agent.namespace}/{agent.name} has a custom approval setting. Saving{' '}
          <strong>{MODES.find((m) => m.mode === choice)?.label}</strong> replaces approval_policy
          {choice === 'full-access' ? ' and sandbox_mode' : ' and approvals_reviewer'}; the custom setting is not kept anywhere.
        </p>
      </ConfirmDialog>
    </form>
  );
}
