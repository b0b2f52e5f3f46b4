import type { AgentPanelProps } from '@/components/agents/panel-props';

// Filled in by its own feature; the agent page renders it in place.
export async function AgentActionsPanel(_props: AgentPanelProps) {
  return null;
}
