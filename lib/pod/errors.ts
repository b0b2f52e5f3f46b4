// The one map from the error codes pod programs answer with (`E <code>`, see
// programs/_frames.sh) to plain words. A caller names what it was changing; the words say
// that nothing was changed when the program guarantees it.

export type PodErrorCode = 'busy' | 'nodir' | 'readonly' | 'write' | 'short' | 'rename' | 'symlink' | 'nosource' | 'notfile' | 'nocodex';

export interface PodErrorSubject {
  /** What was being changed, e.g. "config.toml", "the skill", "the copy". */
  what: string;
  /** The folder it lives in, e.g. "The agent's Codex home". */
  where: string;
}

const WORDS: Record<PodErrorCode, (s: PodErrorSubject) => string> = {
  busy: (s) => `Another change to ${s.what} on this agent is still running. Try again in a moment.`,
  nodir: (s) => `${s.where} is read-only or cannot be created; nothing was changed. Check the volume mount.`,
  readonly: (s) => `${s.where} is read-only or cannot be created; nothing was changed. Check the volume mount.`,
  write: (s) => `${s.what} could not be written (is the agent's volume full?); nothing was changed.`,
  short: (s) => `${s.what} could not be written (is the agent's volume full?); nothing was changed.`,
  rename: (s) => `${s.what} could not be put in place; nothing was changed. Check the volume.`,
  symlink: (s) => `${s.what} is or holds a symbolic link; the dashboard does not write through links. Change it by hand.`,
  nosource: () => 'The image is no longer on the agent. Reload the gallery.',
  notfile: (s) => `${s.what} is not a regular file; choose another name.`,
  nocodex: () => 'Codex is not installed in the agent container, so the change could not be checked; nothing was changed.',
};

/** The code of an `E <code> ...` answer, else null. */
export function podErrorCode(answer: string): string | null {
  return /^E ([a-z]+)/.exec(answer)?.[1] ?? null;
}

/** Plain words for a pod error code, or null for a code a caller answers itself (conflict, codex). */
export function podErrorWords(code: string | null, subject: PodErrorSubject): string | null {
  return code && Object.hasOwn(WORDS, code) ? WORDS[code as PodErrorCode](subject) : null;
}

/** Why a program could not run at all: no shell or no node in the container. */
export function cannotRun(out: { exitCode: number; stderr: string }, needs: 'sh' | 'node' = 'sh'): string | null {
  if (out.exitCode !== 127 && !/not found/.test(out.stderr)) return null;
  return needs === 'node' ? 'node is not installed in the agent container' : 'the container has no shell (sh)';
}
