/**
 * Dynamic route segments arrive still percent-encoded when they hold characters like '@'
 * (kubeconfig context names often do: `user@cluster`, `arn:aws:eks:...`). Decode once, here;
 * a malformed escape is bad input, never a name (null).
 */
export function decodeSegment(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** Whether any segment of a path holds a malformed percent-escape (`%ZZ`, a lone `%`, bad UTF-8). */
export function malformedPath(pathname: string): boolean {
  return pathname.split('/').some((segment) => decodeSegment(segment) === null);
}

/** An agent's page, e.g. `/agents/<cluster>/<ns>/<name>`; its routes are under `/api` + this. */
export function agentPath(ref: { clusterId: string; namespace: string; name: string }): string {
  return `/agents/${encodeURIComponent(ref.clusterId)}/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`;
}
