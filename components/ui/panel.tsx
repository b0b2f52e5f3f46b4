import { Suspense } from 'react';
import { PanelBoundary } from './panel-boundary';
import { Section } from './section';

/** A grey stand-in of a panel while it loads, announced to screen readers. */
export function PanelSkeleton({ label, lines = 3, bare = false }: { label: string; lines?: number; bare?: boolean }) {
  const bars = (
    <div role="status" aria-busy="true" aria-label={`Loading ${label}`} data-testid="panel-skeleton" className="animate-pulse space-y-2">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className={`h-4 rounded bg-zinc-200 dark:bg-zinc-800 ${i % 3 === 2 ? 'w-1/2' : i % 3 === 1 ? 'w-3/4' : 'w-full'}`} />
      ))}
      <span className="sr-only">Loading {label}…</span>
    </div>
  );
  return bare ? bars : <Section title={label}>{bars}</Section>;
}

/**
 * A panel of a page that streams: its own error boundary and its own Suspense with a skeleton,
 * so a slow or failing panel holds up nothing else.
 */
export function Panel({ title, lines, bare, children }: { title: string; lines?: number; bare?: boolean; children: React.ReactNode }) {
  return (
    <PanelBoundary what={title}>
      <Suspense fallback={<PanelSkeleton label={title} lines={lines} bare={bare} />}>{children}</Suspense>
    </PanelBoundary>
  );
}
