'use client';
import { useEffect, useState } from 'react';

export function formatAge(fromIso: string | null | undefined, nowMs: number): string {
  if (!fromIso) return '—';
  const s = Math.max(0, Math.round((nowMs - Date.parse(fromIso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86400)}d`;
}

/**
 * A kubectl-style age ("5m", "3d") that keeps itself current, the exact time on hover; a time
 * still to come reads "in 5m" (the suffix, such as " ago", is for the past only).
 */
export function RelativeTime({ iso, suffix = '' }: { iso: string | null | undefined; suffix?: string }) {
  const [now, setNow] = useState<number | null>(null);
  // Anew when the time itself changes too: a list refreshed a moment ago must not read "in 12s"
  // against a clock last read before the refresh.
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, [iso]);
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {now === null
        ? '…'
        : Date.parse(iso) > now + 1000
          ? `in ${formatAge(new Date(now).toISOString(), Date.parse(iso))}`
          : formatAge(iso, now) + suffix}
    </time>
  );
}
