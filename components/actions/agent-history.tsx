import type { AgentPanelProps } from '@/components/agents/panel-props';
import { Section } from '@/components/ui/section';
import { Badge } from '@/components/agents/badges';
import { RelativeTime } from '@/components/ui/relative-time';
import { getCluster } from '@/lib/k8s/clusters';
import { listAgentHistory, type HistoryEntry } from '@/lib/audit/history';
import { changeSentence } from '@/lib/audit/change-sentence';

const ACTION_LABEL: Record<string, string> = {
  restart: 'Restart',
  'approval-mode': 'Approval mode',
  feature: 'Feature',
  'login-start': 'Login',
  resend: 'Resend',
};

/**
 * What the history and the audit page show of an entry the dashboard cannot vouch for: a
 * badge and the reason in plain words (an Event with the dashboard's reason may have been
 * written by anyone allowed to create Events there). Never hidden: it may be the trace of
 * an attempt to forge history.
 */
export function UnverifiedNote({ reason }: { reason: string | null }) {
  if (!reason) return null;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-2" data-testid="unverified">
      <Badge kind="warn" title={reason}>
        unverified
      </Badge>
      <span className="text-xs text-amber-800 dark:text-amber-300" data-testid="unverified-reason">
        {reason}
      </span>
    </span>
  );
}

/** What was done to this agent through the dashboard (its own Events on the Deployment), newest first. */
export async function AgentHistory({ clusterId, namespace, name }: AgentPanelProps) {
  let entries: HistoryEntry[] = [];
  let error: string | null = null;
  try {
    entries = await listAgentHistory(getCluster(clusterId), namespace, name);
  } catch (err) {
    error = err instanceof Error ? err.message : 'The history could not be read.';
  }
  return (
    <Section title="History">
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      {!error && entries.length === 0 && (
        <p className="text-sm text-zinc-500">Nothing has been done to this agent through the dashboard yet (or its Events have expired).</p>
      )}
      {entries.length > 0 && (
        <ol className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" data-testid="agent-history">
          {entries.map((e, i) => (
            <li
              key={i}
              className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-1.5"
              data-testid="history-entry"
              data-action={e.action}
              data-result={e.result}
              data-verified={e.verified ? 'yes' : 'no'}
            >
              <span className="w-16 shrink-0 text-zinc-500">
                <RelativeTime iso={e.at} suffix=" ago" />
              </span>
              <span className="font-medium">{e.user}</span>
              {e.role && <span className="text-xs text-zinc-500">{e.role}</span>}
              <Badge kind="info">{ACTION_LABEL[e.action] ?? e.action}</Badge>
              <Badge kind={e.result === 'failure' ? 'bad' : e.result === 'success' ? 'good' : 'neutral'}>{e.result}</Badge>
              <span className="min-w-0 flex-1 text-zinc-700 wrap-anywhere dark:text-zinc-300" data-testid="history-change">
                {changeSentence(e)}
              </span>
              {e.detail && (
                <span
                  className={`min-w-0 basis-full text-xs wrap-anywhere ${e.result === 'failure' ? 'text-red-700 dark:text-red-300' : 'text-zinc-500'}`}
                >
                  {e.detail}
                </span>
              )}
              {!e.verified && (
                <span className="basis-full">
                  <UnverifiedNote reason={e.unverified} />
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
