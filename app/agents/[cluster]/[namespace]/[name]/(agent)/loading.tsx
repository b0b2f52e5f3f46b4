import { PanelSkeleton } from '@/components/ui/panel';

/** Shown while the agent's Deployment is read, before the page's header can be drawn. */
export default function AgentLoading() {
  return (
    <div className="space-y-6">
      <div role="status" aria-label="Loading the agent" className="h-8 w-48 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
      <PanelSkeleton label="Actions" lines={4} />
      <PanelSkeleton label="Codex" lines={6} />
    </div>
  );
}
