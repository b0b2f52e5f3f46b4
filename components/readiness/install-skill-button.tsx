'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { AgentRef } from '@/lib/operations/agent-ref';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
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
        <button
          type="button"
          className={buttonClass.primary}
          disabled={!permission.allowed || busy}
          aria-describedby={!permission.allowed ? reasonId : undefined}
          aria-busy={busy}
          onClick={() => run(null)}
          data-testid="install-skill"
        >
          {busy && !pending ? 'Installing…' : installed ? 'Reinstall delivery skill' : 'Install delivery skill'}
        </button>
        {!permission.allowed && (
          <span id={reasonId} className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="install-skill-disabled-reason">
            {permission.reason}
          </span>
        )}
      </div>
      {notice && (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300" data-testid="install-skill-notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
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
