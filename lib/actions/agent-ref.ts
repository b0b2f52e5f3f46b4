import { z } from 'zod';

/** Which agent an action is about, as the browser names it (validated, never trusted). */
export interface AgentRef {
  clusterId: string;
  namespace: string;
  name: string;
}

// Kubernetes names: DNS labels / subdomains. Cluster ids are kubeconfig context names, which
// are looser, but never need control characters or more than a line's worth of text.
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export const agentRefSchema = z.object({
  clusterId: z.string().min(1).max(253).regex(/^[\x21-\x7e]+$/, 'The cluster name is not valid.'),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'The namespace is not valid.'),
  name: z.string().regex(DNS_NAME, 'The agent name is not valid.'),
});

export const agentKey = (ref: AgentRef) => `${ref.clusterId}/${ref.namespace}/${ref.name}`;
export const agentLabel = (ref: AgentRef) => `${ref.namespace}/${ref.name}`;
