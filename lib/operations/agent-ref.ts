// The one AgentRef lives with the locator in lib/k8s; client components name it through here,
// since they never import lib/k8s.
export { agentRefSchema, agentKey, agentLabel, agentPath, type AgentRef } from '../k8s/agent-ref';
