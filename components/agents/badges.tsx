import type { LoginState } from '@/lib/codex/auth';

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
    <span title={title} className={`inline-flex max-w-full items-center break-words rounded px-1.5 py-0.5 text-xs font-medium ${tone[kind]}`}>
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
      return <Badge kind="bad" title={login.reason}>auth.json unreadable</Badge>;
    case 'apikey':
      return <Badge kind="good" title="API key, masked as Codex masks it">API key {login.masked}</Badge>;
    case 'other':
      return <Badge kind="info">Logged in ({login.mode})</Badge>;
    case 'chatgpt': {
      const who = [login.email, login.plan && `(${login.plan})`].filter(Boolean).join(' ');
      const kind: Tone = login.expiry === 'expired' ? 'bad' : login.expiry === 'soon' ? 'warn' : 'good';
      const suffix = login.expiry === 'expired' ? ' · expired' : login.expiry === 'soon' ? ' · expires soon' : '';
      return (
        <Badge kind={kind} title={login.expiresAt ? `Access token valid until ${login.expiresAt}` : undefined}>
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

export function ApprovalBadge({ mode, error }: { mode?: string; error?: string }) {
  if (error) return <Badge kind="bad" title={error}>config.toml invalid</Badge>;
  if (!mode) return <Badge>unknown</Badge>;
  const kind: Tone = mode === 'full-access' ? 'warn' : mode === 'auto-review' ? 'good' : mode === 'custom' ? 'info' : 'neutral';
  return <Badge kind={kind}>{APPROVAL_LABELS[mode] ?? mode}</Badge>;
}

export function PodStatusBadge({ status, ready }: { status: string; ready: boolean }) {
  const kind: Tone = status === 'Running' && ready ? 'good' : status === 'Running' || status === 'Pending' || status === 'ContainerCreating' ? 'warn' : status === 'Terminating' ? 'neutral' : 'bad';
  return <Badge kind={kind}>{status}{status === 'Running' && !ready ? ' (not ready)' : ''}</Badge>;
}
