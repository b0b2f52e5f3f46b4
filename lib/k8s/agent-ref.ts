import { z } from 'zod';
import { agentPath, decodeSegment } from '../url-params';

/**
 * Which agent a page, route or action is about: a Deployment in a namespace of a cluster
 * (a kubeconfig context). The one way the browser names an agent; validated, never trusted.
 */
export const agentRefSchema = z.object({
  // Kubeconfig context names are looser than Kubernetes names, but never need control
  // characters or more than a line's worth of text.
  clusterId: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[\x21-\x7e]+$/, 'The cluster name is not valid.'),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'The namespace is not valid.'),
  name: z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'The agent name is not valid.'),
});

export type AgentRef = z.infer<typeof agentRefSchema>;

const segment = z.string().transform((value, ctx) => {
  const decoded = decodeSegment(value);
  if (decoded === null) {
    ctx.addIssue({ code: 'custom', message: 'The address holds a malformed percent-escape.' });
    return z.NEVER;
  }
  return decoded;
});

/** The `[cluster]/[namespace]/[name]` segments of every agent page and route, decoded once. */
export const agentParamsSchema = z
  .object({ cluster: segment, namespace: segment, name: segment })
  .transform(({ cluster, namespace, name }) => ({ clusterId: cluster, namespace, name }))
  .pipe(agentRefSchema);

export { agentPath };

export const agentKey = (ref: AgentRef) => `${ref.clusterId}/${ref.namespace}/${ref.name}`;
export const agentLabel = (ref: AgentRef) => `${ref.namespace}/${ref.name}`;

/**
 * The agent a page or route is about, from its still-encoded `[cluster]/[namespace]/[name]`
 * segments; an address that is not one (bad escape, not a Kubernetes name) is an error to show
 * as it is (400 in a route, "not found" on a page).
 */
export async function agentRefFromParams(
  params: Promise<unknown> | unknown,
): Promise<{ ok: true; ref: AgentRef } | { ok: false; error: string }> {
  const parsed = agentParamsSchema.safeParse(await params);
  if (parsed.success) return { ok: true, ref: parsed.data };
  return { ok: false, error: `That is not an agent address: ${parsed.error.issues[0]?.message ?? 'it could not be read'}` };
}
