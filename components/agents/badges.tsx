import type { LoginState } from '@/lib/codex/auth';
import type { ApprovalSummary } from '@/lib/fleet/probe';

const tone = {
  good: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  warn: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  bad: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  neutral: 'bg-zinc-100 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200',
  info: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
} as const;
export type Tone = keyof typeof tone;

export function Badge({ children, kind = 'neutral', title }: { children: React.ReactNode; kind?: Tone; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex max-w-full items-center break-words rounded px-1.5 py-0.5 text-xs font-medium ${tone[kind]}`}
    >
      {children}
    </span>
  );
}

export function LoginBadge({ login }: { login: LoginState | null | undefined }) {
  if (!login) return <Badge>unknown</Badge>;
  switch (login.kind) {
    case 'not-logged-in':
      return <Badge kind="bad">Not logged in</Badge>;
    case 'unreadable':
      return (
        <Badge kind="bad" title={login.reason}>
          auth.json unreadable
        </Badge>
      );
    case 'apikey':
      return (
        <Badge kind="good" title="API key, masked as Codex masks it">
          API key {login.masked}
        </Badge>
      );
    case 'other':
      return <Badge kind="info">Logged in ({login.mode})</Badge>;
    case 'chatgpt': {
      const who = [login.email, login.plan && `(${login.plan})`].filter(Boolean).join(' ');
      const kind: Tone = login.expiry === 'expired' ? 'bad' : login.expiry === 'soon' ? 'warn' : 'good';
      const suffix = login.expiry === 'expired' ? ' · expired' : login.expiry === 'soon' ? ' · expires soon' : '';
      return (
        <Badge kind={kind} title={login.expiresAt ? `Access token valid until ${new Date(login.expiresAt).toUTCString()}` : undefined}>
          ChatGPT {who}
          {suffix}
        </Badge>
      );
    }
  }
}

export const APPROVAL_LABELS: Record<string, string> = {
  manual: 'Manual',
  'auto-review': 'Auto-review',
  'full-access': 'Full access',
  custom: 'Custom',
  default: 'Default (Codex decides)',
};

/** The approval mode, and beside it what is wrong with a config written per OpenAB's guide. */
export function ApprovalBadge({ approval }: { approval?: ApprovalSummary }) {
  if (approval && !approval.ok)
    return (
      <Badge kind="bad" title={approval.error}>
        config.toml invalid
      </Badge>
    );
  if (!approval || !approval.mode) return <Badge>unknown</Badge>;
  const { mode, guideMistake } = approval;
  const kind: Tone = mode === 'full-access' ? 'warn' : mode === 'auto-review' ? 'good' : mode === 'custom' ? 'info' : 'neutral';
  const badge = <Badge kind={kind}>{APPROVAL_LABELS[mode] ?? mode}</Badge>;
  if (!guideMistake) return badge;
  const meant = guideMistake.meant ? APPROVAL_LABELS[guideMistake.meant] : 'the mode it names';
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      {badge}
      <span data-testid="approval-guide-mistake">
        {guideMistake.kind === 'sandbox-table' ? (
          <Badge
            kind="bad"
            title="OpenAB's guide puts approval_policy in a [sandbox] table; Codex has no such table and ignores it. Repair it from the agent's approval form."
          >
            [sandbox] ignored by Codex: this agent is not on {meant}
          </Badge>
        ) : (
          <Badge
            kind="bad"
            title={`approval_policy holds the guide's value for ${meant}, which Codex refuses: no session starts. Repair it from the agent's approval form.`}
          >
            approval_policy refused by Codex: no session starts
          </Badge>
        )}
      </span>
    </span>
  );
}

export function PodStatusBadge({ status, ready }: { status: string; ready: boolean }) {
  const kind: Tone =
    status === 'Running' && ready
      ? 'good'
      : status === 'Running' || status === 'Pending' || status === 'ContainerCreating'
        ? 'warn'
        : status === 'Terminating'
          ? 'neutral'
          : 'bad';
  return (
    <Badge kind={kind}>
      {status}
      {status === 'Running' && !ready ? ' (not ready)' : ''}
    </Badge>
  );
}
