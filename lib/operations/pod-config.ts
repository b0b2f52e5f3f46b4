import 'server-only';
import { createHash } from 'node:crypto';
import { codexErrorMessage } from '../codex/cli-output';
import { refusesAutoReviewName } from '../codex/approval-modes';
import { UserFacingError } from '../errors';
import { lastHead } from '../pod/frames';
import { cannotRun, podErrorCode, podErrorWords } from '../pod/errors';
import { parseConfigRead } from './pod-scripts';
import { runInAgentPod, type AgentPodTarget } from './target';

/** Larger than any real config.toml; a bigger file is not edited through the dashboard. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const EXEC_TIMEOUT_MS = 60_000;
/** How the pod's error codes name what was being changed. */
export const CONFIG_SUBJECT = { what: 'config.toml', where: "The agent's Codex home" };

export interface PodConfig {
  codexHome: string;
  exists: boolean;
  /** The file as text (empty when missing); exact bytes, BOM and CRLF included. */
  text: string;
  /** What a compare-and-swap must find: sha256 of the bytes, or "missing". */
  hash: string;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Reads config.toml from the agent's pod with its hash. Refuses what it must not edit. */
export async function readPodConfig(target: AgentPodTarget): Promise<PodConfig> {
  const out = await runInAgentPod(target, 'config-read', [String(MAX_CONFIG_BYTES)], {
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: MAX_CONFIG_BYTES + 4096,
  });
  const read = out.exitCode === 0 ? parseConfigRead(out.frames) : null;
  if (!read) {
    const why = cannotRun(out);
    if (why) throw new UserFacingError(`${why[0].toUpperCase()}${why.slice(1)}, so its config.toml cannot be read.`);
    throw new UserFacingError(`config.toml could not be read from pod ${target.pod.name} (exit ${out.exitCode}). Try again.`);
  }
  switch (read.state) {
    case 'symlink':
      throw new UserFacingError('config.toml is a symbolic link; the dashboard does not edit it. Change it by hand.');
    case 'unreadable':
      throw new UserFacingError('config.toml cannot be read by the agent container user; fix its permissions first.');
    case 'toolarge':
      throw new UserFacingError(`config.toml is larger than ${MAX_CONFIG_BYTES / 1024} KiB; the dashboard does not edit it.`);
    case 'missing':
      return { codexHome: read.codexHome, exists: false, text: '', hash: 'missing' };
  }
  const text = read.bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(read.bytes)) {
    throw new UserFacingError('config.toml is not valid UTF-8, so it is not valid TOML either; fix it by hand.');
  }
  if (sha256(read.bytes) !== read.hash) throw new UserFacingError('config.toml changed while it was being read. Try again.');
  return { codexHome: read.codexHome, exists: true, text, hash: read.hash };
}

export type WriteOutcome =
  | { status: 'written'; hash: string }
  | { status: 'conflict' }
  | {
      status: 'refused-by-codex';
      error: string;
      /** Codex refused the reviewer name `auto_review` (0.121 and older know only `guardian_subagent`). */
      refusedReviewerName: boolean;
    };

/**
 * Writes config.toml in the pod when it still has `expectedHash`; atomic, and checked by Codex
 * (the previous file goes back when Codex refuses the new one).
 */
export async function writePodConfig(target: AgentPodTarget, expectedHash: string, text: string): Promise<WriteOutcome> {
  const bytes = Buffer.from(text, 'utf8');
  const out = await runInAgentPod(target, 'config-write', [expectedHash, String(bytes.length)], {
    input: bytes,
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: 64 * 1024,
  });
  const status = lastHead(out.frames);
  const ok = /^OK ([0-9a-f]{64})$/.exec(status);
  if (ok && out.exitCode === 0) return { status: 'written', hash: ok[1] };
  const code = podErrorCode(status);
  if (code === 'conflict') return { status: 'conflict' };
  if (code === 'codex') {
    return {
      status: 'refused-by-codex',
      error: codexErrorMessage(out.stderr) ?? `Codex refused the new config.toml (exit ${status.split(' ')[2] ?? '?'}).`,
      // Read from Codex's raw words here, on the server: they are never shown as they are.
      refusedReviewerName: refusesAutoReviewName(out.stderr),
    };
  }
  const words = podErrorWords(code, CONFIG_SUBJECT);
  if (words) throw new UserFacingError(words);
  throw new UserFacingError(
    `Writing config.toml in pod ${target.pod.name} failed (exit ${out.exitCode}); nothing was changed by the dashboard.`,
  );
}
