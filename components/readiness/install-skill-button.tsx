'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { AgentRef } from '@/lib/operations/agent-ref';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
import { ActionError, PermittedButton } from '@/components/ui/action-feedback';
import { installDeliverySkillAction } from '@/app/agents/[cluster]/[namespace]/[name]/readiness-actions';

type Pending = { message: string; diff: string; state: { skillSha: string; scriptSha: string } };

/** Installs the delivery skill; a skill changed by hand is replaced only after its difference was shown. */
export function InstallSkillButton({
  agent,
  permission,
  installed,
}: {
  agent: AgentRef;
  permission: { allowed: boolean; reason?: string | null };
  installed: boolean;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);

  const run = async (confirmed: Pending['state'] | null) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const res = await installDeliverySkillAction({ ...agent, confirmed });
    setBusy(false);
    if (!res.ok) {
      setPending(null);
      setError(res.message);
      return;
    }
    if (res.data.status === 'confirm') {
      setPending({ message: res.data.message, diff: res.data.diff, state: res.data.state });
      return;
    }
    setPending(null);
    setNotice(res.data.message);
    router.refresh();
  };

  const reasonId = `install-skill-reason-${agent.namespace}-${agent.name}`;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <PermittedButton
          className={buttonClass.primary}
          permission={permission}
          reasonId={reasonId}
          reasonTestId="install-skill-disabled-reason"
          disabled={busy}
          aria-busy={busy}
          onClick={() => run(null)}
          data-testid="install-skill"
        >
          {busy && !pending ? 'Installing…' : installed ? 'Reinstall delivery skill' : 'Install delivery skill'}
        </PermittedButton>
      </div>
      {notice && (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300" data-testid="install-skill-notice">
          {notice}
        </p>
      )}
      <ActionError>{error}</ActionError>
      <ConfirmDialog
        open={pending !== null}
        title="Replace the skill on the agent?"
        confirmLabel="Replace with the dashboard's skill"
        tone="danger"
        busy={busy}
        onConfirm={() => pending && run(pending.state)}
        onCancel={() => setPending(null)}
      >
        <p>{pending?.message}</p>
        <p>What changes (lines with - are on the agent now, lines with + are the dashboard&apos;s):</p>
        <pre
          className="max-h-72 overflow-auto rounded bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-950"
          data-testid="skill-diff"
          tabIndex={0}
        >
          {pending?.diff.split('\n').map((line, i) => (
            <span
              key={i}
              className={
                line.startsWith('+') && !line.startsWith('+++')
                  ? 'text-emerald-800 dark:text-emerald-300'
                  : line.startsWith('-') && !line.startsWith('---')
                    ? 'text-red-800 dark:text-red-300'
                    : ''
              }
            >
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      </ConfirmDialog>
    </div>
  );
}
