import type { AgentPanelProps } from '@/components/agents/panel-props';

// Filled in by its own feature; the agent page renders it in place.
export async function ReadinessPanel(_props: AgentPanelProps) {
  return null;
}
