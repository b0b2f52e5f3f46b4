import type { ChannelReadiness, CheckId, ReadinessItem } from '@/lib/readiness/checks';
import { StatusBadge } from './status-badge';

export function ReadinessChecklist({
  items,
  channels,
  costs,
}: {
  items: ReadinessItem[];
  channels: ChannelReadiness[] | null;
  costs?: Record<CheckId, string>;
}) {
  return (
    <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Readiness checks">
      {items.map((item) => (
        <li key={item.id} className="py-2" data-testid="readiness-item" data-check={item.id} data-status={item.status}>
          <div className="flex flex-wrap items-start gap-2">
            <StatusBadge status={item.status} />
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium">{item.label}</p>
              <p className="break-words text-sm text-zinc-700 dark:text-zinc-300" data-testid="readiness-reason">
                {item.reason}
              </p>
              {item.fix && item.status !== 'pass' && (
                <p className="break-words text-sm text-zinc-600 dark:text-zinc-400">
                  <span className="font-medium">Fix: </span>
                  {item.fix}
                </p>
              )}
              {item.id === 'discord-permissions' && channels && channels.length > 0 && (
                <ul className="mt-1 space-y-0.5 text-xs" data-testid="readiness-channels">
                  {channels.map((c) => (
                    <li
                      key={c.channelId}
                      className="flex flex-wrap items-center gap-1"
                      data-testid="readiness-channel"
                      data-channel={c.channelId}
                      data-status={c.status}
                    >
                      <StatusBadge status={c.status} label={c.name ? `#${c.name}` : c.channelId} />
                      <span className="text-zinc-600 dark:text-zinc-400">
                        {c.missing.length ? `missing ${c.missing.join(', ')}` : c.reason}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {costs && <p className="text-xs text-zinc-500">Cost: {costs[item.id]}</p>}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
