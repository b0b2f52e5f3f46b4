'use client';
import { useState, useTransition } from 'react';
import { ConfirmDialog, buttonClass } from '@/components/ui/confirm-dialog';
import { endSessionsAction } from '@/app/admin/sessions/actions';

/** "End all sessions" for one user: a confirmation first, then the outcome in a live region. */
export function EndSessionsButton({ userKey, name }: { userKey: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  function confirm() {
    startTransition(async () => {
      const result = await endSessionsAction({ userKey });
      setOpen(false);
      setOutcome(
        result.ok ? { ok: true, text: `Every session of ${name} signed in until now has ended.` } : { ok: false, text: result.message },
      );
    });
  }

  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={buttonClass.danger} aria-label={`End all sessions of ${name}`} onClick={() => setOpen(true)}>
        End all sessions
      </button>
      <span
        role="status"
        className={outcome?.ok === false ? 'text-sm text-red-700 dark:text-red-300' : 'text-sm text-zinc-700 dark:text-zinc-300'}
      >
        {outcome?.text}
      </span>
      <ConfirmDialog
        open={open}
        title={`End all sessions of ${name}?`}
        confirmLabel="End sessions"
        tone="danger"
        busy={pending}
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
      >
        <p>
          {name} is signed out everywhere, on every replica of the dashboard, within a few seconds. A new sign-in works as before; to keep
          them out, also remove their account or role.
        </p>
      </ConfirmDialog>
    </div>
  );
}
