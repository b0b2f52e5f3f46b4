import type { ButtonHTMLAttributes, ReactNode } from 'react';

/** Why an action's button is disabled, beside it; the button names it with aria-describedby={id}. */
export function DisabledReason({
  id,
  testId,
  permission,
  className = 'text-sm text-zinc-600 dark:text-zinc-400',
}: {
  id: string;
  testId: string;
  permission: { allowed: boolean; reason?: string | null };
  className?: string;
}) {
  if (permission.allowed) return null;
  return (
    <span id={id} data-testid={testId} className={className}>
      {permission.reason}
    </span>
  );
}

/** What went wrong with an action the person just ran, announced as it appears. */
export function ActionError({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
      {children}
    </p>
  );
}

/** An action's button, disabled with the reason beside it when the cluster does not allow the action. */
export function PermittedButton({
  permission,
  reasonId,
  reasonTestId,
  disabled,
  children,
  ...button
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  permission: { allowed: boolean; reason?: string | null };
  reasonId: string;
  reasonTestId: string;
}) {
  return (
    <>
      <button
        type="button"
        {...button}
        disabled={!permission.allowed || disabled}
        aria-describedby={!permission.allowed ? reasonId : undefined}
      >
        {children}
      </button>
      <DisabledReason id={reasonId} testId={reasonTestId} permission={permission} />
    </>
  );
}

/** An action the person may not run at all: its button, greyed, with the cluster's reason under it. */
export function DeniedAction({ id, testId, label, reason }: { id: string; testId: string; label: string; reason?: string | null }) {
  return (
    <div className="space-y-1" data-testid={testId}>
      <button
        type="button"
        disabled
        className="cursor-not-allowed rounded-md bg-zinc-200 px-3 py-1.5 text-sm text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400"
        aria-describedby={`${id}-why`}
      >
        {label}
      </button>
      <p id={`${id}-why`} className="text-xs text-zinc-600 dark:text-zinc-400">
        {reason}
      </p>
    </div>
  );
}
