/**
 * Discord forensics over a parsed rollout: every attempted upload to a
 * `channels/{id}/messages` URL, how Discord answered, and which generated
 * image each upload carried.
 */
import { cap, deliveryTarget, ID, isObject, type Json, type Rollout, type SenderContext } from './rollout';

export type DiscordUpload = {
  callId: string;
  at?: string;
  line: number;
  /** The URL as written; its host may be any (a proxy, a fake, a variable). */
  url: string;
  /** The channel or thread id posted to, when written literally. */
  target?: string;
  /** The expression in place of the id (e.g. `$THREAD_ID`) when not literal. */
  targetExpression?: string;
  /** Files attached with `-F files[N]=@path` / `-F file=@path`. */
  files: string[];
  outcome: 'ok' | 'failed' | 'unknown';
  messageId?: string;
  /** Plain words, for failed and unknown outcomes. */
  reason?: string;
  discordCode?: number;
  httpStatus?: number;
  exitCode?: number;
  /** The sender context in effect when the upload ran, and where it should have gone. */
  sender?: SenderContext;
  expectedTarget?: string;
};

// Any host (the base URL can be a proxy, a fake, or a variable), as long as
// the path is Discord's: `[.../api/vN]/channels/{id}/messages`.
const UPLOAD_URL = /([^\s"'<>()|;&]*)\/channels\/([^/\s"'<>?]+)\/messages\b/;
const DISCORD_BASE = /\/api\/v\d+$|discord|^\$|^\$\{|^https?:\/\//i;

const DISCORD_CODES: Record<number, string> = {
  0: 'Discord refused the bot token (401 Unauthorized): check the token.',
  10003: 'Unknown channel (10003): the channel or thread id is wrong or the thread is gone.',
  50001: 'Missing access (50001): the bot cannot see this channel or thread.',
  50013: 'Missing permissions (50013): the bot needs Send Messages (in Threads) and Attach Files there.',
  40005: "Request entity too large (40005): the file is over this server's upload limit.",
  50035: 'Invalid form body (50035): the request was malformed.',
  50006: 'Cannot send an empty message (50006): the file was not attached.',
  40001: 'Unauthorized (40001): check the bot token.',
  20028: 'Rate limited (20028): too many messages; try again later.',
};

const CURL_CODES: Record<number, string> = {
  6: 'could not resolve the host (no DNS or no network from the pod)',
  7: 'could not connect to the server (no network egress or blocked)',
  22: 'Discord answered with an HTTP error',
  26: 'could not read the file to upload (missing or unreadable)',
  28: 'the request timed out',
  35: 'TLS handshake failed',
  52: 'the server sent an empty reply',
  56: 'the connection broke while receiving',
  60: "the server's TLS certificate was not trusted",
};

function tokens(command: string): string[] {
  // Shell-ish splitting, enough to pair -F with its argument.
  const out: string[] = [];
  const word = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  let current = '';
  let last = -1;
  while ((match = word.exec(command)) !== null && out.length < 2000) {
    const piece = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2] !== undefined ? match[2] : match[3];
    if (match.index === last) current += piece;
    else {
      if (last !== -1) out.push(current);
      current = piece;
    }
    last = match.index + match[0].length;
  }
  if (last !== -1) out.push(current);
  return out;
}

function attachedFiles(command: string): string[] {
  const parts = tokens(command);
  const files: string[] = [];
  for (let k = 0; k < parts.length; k++) {
    let form: string | undefined;
    if (parts[k] === '-F' || parts[k] === '--form' || parts[k] === '--form-string') form = parts[k + 1];
    else if (/^-F./.test(parts[k])) form = parts[k].slice(2);
    else if (parts[k].startsWith('--form=')) form = parts[k].slice(7);
    if (!form) continue;
    const match = /^(files\[\d+\]|file\d*)=@(.+)$/.exec(form);
    if (!match) continue;
    // `;type=image/png` and `;filename=x` are curl options, not the path.
    const path = match[2].replace(/;(type|filename|headers|encoder)=.*$/, '');
    if (path && path.length <= 1000) files.push(path);
  }
  return files;
}

function jsonObjectsIn(output: string): Json[] {
  const found: Json[] = [];
  const candidates = new Set<string>();
  const trimmed = output.trim();
  candidates.add(trimmed);
  for (const line of trimmed.split('\n')) if (line.trim().startsWith('{')) candidates.add(line.trim());
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.add(trimmed.slice(first, last + 1));
  for (const candidate of candidates) {
    if (!candidate.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(candidate);
      if (isObject(value)) found.push(value);
    } catch {
      // not JSON
    }
  }
  return found;
}

function judge(
  output: string,
  exitCode: number | undefined,
): Pick<DiscordUpload, 'outcome' | 'messageId' | 'reason' | 'discordCode' | 'httpStatus'> {
  const status = /HTTP\/[0-9.]+ (\d{3})/.exec(output);
  const httpStatus = status ? Number(status[1]) : undefined;
  const withStatus = <T extends object>(value: T) => (httpStatus !== undefined ? { ...value, httpStatus } : value);

  const objects = jsonObjectsIn(output);
  const message = objects.find(
    (o) => typeof o.id === 'string' && ID.test(o.id) && ('channel_id' in o || 'attachments' in o || 'content' in o),
  );
  const error = objects.find((o) => typeof o.message === 'string' && ('code' in o || 'retry_after' in o));
  const curl = /curl: \((\d+)\) ([^\n]{0,300})/.exec(output);

  if (error) {
    const code = typeof error.code === 'number' ? error.code : undefined;
    let reason: string;
    if ('retry_after' in error) reason = `Rate limited by Discord (retry after ${Number(error.retry_after) || 0} s).`;
    else if (code !== undefined && DISCORD_CODES[code]) reason = DISCORD_CODES[code];
    else reason = `Discord refused the upload: ${cap(String(error.message), 200)}${code !== undefined ? ` (code ${code})` : ''}.`;
    return withStatus(
      code !== undefined ? { outcome: 'failed' as const, reason, discordCode: code } : { outcome: 'failed' as const, reason },
    );
  }
  if (curl && Number(curl[1]) !== 22) {
    const code = Number(curl[1]);
    return withStatus({
      outcome: 'failed' as const,
      reason: `curl ${CURL_CODES[code] ?? 'failed'} (curl: (${code}) ${cap(curl[2].trim(), 200)}).`,
    });
  }
  if (httpStatus !== undefined && httpStatus >= 400) {
    return withStatus({ outcome: 'failed' as const, reason: `Discord answered HTTP ${httpStatus}.` });
  }
  if (curl) return withStatus({ outcome: 'failed' as const, reason: `Discord answered with an HTTP error (${cap(curl[2].trim(), 200)}).` });
  if (exitCode !== undefined && exitCode !== 0) {
    return withStatus({ outcome: 'failed' as const, reason: `The upload command exited with code ${exitCode}.` });
  }
  if (message) return withStatus({ outcome: 'ok' as const, messageId: message.id as string });
  return withStatus({
    outcome: 'unknown' as const,
    reason: exitCode === 0 ? 'The command succeeded but printed no Discord message.' : 'No result was recorded for this command.',
  });
}

/** Every attempted upload to a Discord `channels/{id}/messages` URL, with its outcome. */
export function findDiscordUploads(rollout: Rollout): DiscordUpload[] {
  const uploads: DiscordUpload[] = [];
  const contexts = [...rollout.senderContexts].sort((a, b) => a.line - b.line);
  for (const call of rollout.toolCalls) {
    const match = UPLOAD_URL.exec(call.command);
    if (!match || !DISCORD_BASE.test(match[1])) continue;
    const files = attachedFiles(call.command);
    const idExpression = match[2];
    const upload: DiscordUpload = {
      callId: call.callId,
      line: call.line,
      url: cap(match[0], 500),
      files,
      outcome: 'unknown',
    };
    if (call.at) upload.at = call.at;
    if (ID.test(idExpression)) upload.target = idExpression;
    else upload.targetExpression = cap(idExpression, 100);

    const completion = call.completion;
    if (!completion || (completion.output === undefined && completion.exitCode === undefined && completion.status === undefined)) {
      upload.reason = 'No result was recorded for this command (still running, or the session was cut off).';
    } else {
      const exitCode = completion.exitCode ?? (completion.status === 'failed' ? 1 : undefined);
      if (completion.exitCode !== undefined) upload.exitCode = completion.exitCode;
      Object.assign(upload, judge(completion.output ?? '', exitCode));
    }
    let sender: SenderContext | undefined;
    for (const entry of contexts) {
      if (entry.line <= call.line) sender = entry.context;
      else break;
    }
    if (sender) {
      upload.sender = sender;
      const expected = deliveryTarget(sender);
      if (expected) upload.expectedTarget = expected;
    }
    uploads.push(upload);
  }
  return uploads;
}

/** `.../generated_images/<thread>/<file>` -> its parts, for matching uploads to images. */
export function generatedImageOf(filePath: string): { threadId: string; fileName: string } | undefined {
  const match = /(?:^|\/)generated_images\/([A-Za-z0-9_-]{1,200})\/([A-Za-z0-9_.-]{1,200})$/.exec(filePath);
  if (!match || match[2].startsWith('.')) return undefined;
  return { threadId: match[1], fileName: match[2] };
}

export type ImageDelivery = {
  fileName: string;
  /**
   * delivered: an upload of this file got a Discord message back;
   * failed: every upload of it failed or is unknown;
   * never-sent: no upload of it was attempted in this session.
   */
  status: 'delivered' | 'failed' | 'never-sent';
  /** The successful upload, else the last attempt. */
  upload?: DiscordUpload;
  /** Where it belongs: the thread, else the channel, of the last prompt. */
  expectedTarget?: string;
  /** Delivered, but to another id than expected (e.g. the parent channel). */
  wrongTarget?: boolean;
};

/**
 * Joins a session's generated images (file names under
 * `generated_images/<thread>/`) with its upload attempts.
 */
export function imageDeliveries(rollout: Rollout, imageFileNames: readonly string[]): ImageDelivery[] {
  const uploads = findDiscordUploads(rollout);
  const lastContext = rollout.senderContexts.length > 0 ? rollout.senderContexts[rollout.senderContexts.length - 1].context : undefined;
  return imageFileNames.map((fileName) => {
    const attempts = uploads.filter((upload) =>
      upload.files.some((file) => {
        const image = generatedImageOf(file);
        return image !== undefined && image.fileName === fileName && (!rollout.threadId || image.threadId === rollout.threadId);
      }),
    );
    const ok = attempts.find((upload) => upload.outcome === 'ok');
    const chosen = ok ?? attempts[attempts.length - 1];
    const delivery: ImageDelivery = { fileName, status: ok ? 'delivered' : attempts.length > 0 ? 'failed' : 'never-sent' };
    if (chosen) delivery.upload = chosen;
    const expected = chosen?.expectedTarget ?? deliveryTarget(lastContext);
    if (expected) delivery.expectedTarget = expected;
    if (ok && expected && ok.target && ok.target !== expected) delivery.wrongTarget = true;
    return delivery;
  });
}
