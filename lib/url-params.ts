/**
 * Dynamic route segments arrive still percent-encoded when they hold characters like '@'
 * (kubeconfig context names often do: `user@cluster`, `arn:aws:eks:...`). Decode once,
 * and treat a malformed escape as a name that exists nowhere.
 */
export function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '\u0000invalid';
  }
}
