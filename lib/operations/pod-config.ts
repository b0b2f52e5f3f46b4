import 'server-only';
import { createHash } from 'node:crypto';
import { codexErrorMessage } from '../codex/cli-output';
import { refusesAutoReviewName } from '../codex/approval-modes';
import { UserFacingError } from '../errors';
import { READ_CONFIG_SCRIPT, WRITE_CONFIG_SCRIPT, lastStatusLine, parseConfigRead } from './pod-scripts';
import { execInAgentPod, type AgentPodTarget } from './target';

/** Larger than any real config.toml; a bigger file is not edited through the dashboard. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const EXEC_TIMEOUT_MS = 60_000;

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
  const out = await execInAgentPod(target, {
    argv: ['sh', '-c', READ_CONFIG_SCRIPT, 'openab-read-config', String(MAX_CONFIG_BYTES)],
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: MAX_CONFIG_BYTES + 4096,
  });
  const read = out.exitCode === 0 ? parseConfigRead(out.stdout) : null;
  if (!read) {
    if (out.exitCode === 127 || /not found/.test(out.stderr)) throw new UserFacingError('The agent container has no shell (sh), so its config.toml cannot be read.');
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
  const out = await execInAgentPod(target, {
    argv: ['sh', '-c', WRITE_CONFIG_SCRIPT, 'openab-write-config', expectedHash, String(bytes.length)],
    stdin: bytes,
    timeoutMs: EXEC_TIMEOUT_MS,
    maxStdoutBytes: 64 * 1024,
  });
  const status = lastStatusLine(out.stdout.toString('utf8'));
  const ok = /^OK ([0-9a-f]{64})$/.exec(status);
  if (ok && out.exitCode === 0) return { status: 'written', hash: ok[1] };
  switch (status.split(' ')[0] === 'E' ? status.split(' ')[1] : '') {
    case 'conflict':
      return { status: 'conflict' };
    case 'codex':
      return {
        status: 'refused-by-codex',
        error: codexErrorMessage(out.stderr) ?? `Codex refused the new config.toml (exit ${status.split(' ')[2] ?? '?'}).`,
        // Read from Codex's raw words here, on the server: they are never shown as they are.
        refusedReviewerName: refusesAutoReviewName(out.stderr),
      };
    case 'nocodex':
      throw new UserFacingError('Codex is not installed in the agent container, so the change could not be checked; nothing was changed.');
    case 'readonly':
    case 'nodir':
      throw new UserFacingError("The agent's Codex home is read-only or cannot be created; nothing was changed. Check the volume mount.");
    case 'write':
    case 'short':
      throw new UserFacingError("The new config.toml could not be written (is the agent's volume full?); nothing was changed.");
    case 'rename':
      throw new UserFacingError('config.toml could not be replaced; nothing was changed. Check the volume.');
    case 'busy':
      throw new UserFacingError('Another change to this agent\'s config.toml is still running. Try again in a moment.');
    case 'symlink':
      throw new UserFacingError('config.toml is a symbolic link; the dashboard does not edit it. Change it by hand.');
  }
  throw new UserFacingError(`Writing config.toml in pod ${target.pod.name} failed (exit ${out.exitCode}); nothing was changed by the dashboard.`);
}
