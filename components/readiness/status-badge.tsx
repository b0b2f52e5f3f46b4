import { Badge } from '@/components/agents/badges';
import type { CheckStatus } from '@/lib/readiness/checks';

const LOOK: Record<CheckStatus, { kind: 'good' | 'bad' | 'warn'; text: string; mark: string }> = {
  pass: { kind: 'good', text: 'Pass', mark: '✓' },
  fail: { kind: 'bad', text: 'Fail', mark: '✗' },
  unknown: { kind: 'warn', text: 'Unknown', mark: '?' },
};

/** Pass / Fail / Unknown in words and colour (never colour alone). */
export function StatusBadge({ status, label }: { status: CheckStatus; label?: string }) {
  const look = LOOK[status];
  return (
    <Badge kind={look.kind}>
      <span aria-hidden="true" className="mr-1">
        {look.mark}
      </span>
      {label ?? look.text}
    </Badge>
  );
}
