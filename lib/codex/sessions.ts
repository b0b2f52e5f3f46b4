/**
 * Session rollouts (`sessions/YYYY/MM/DD/rollout-<ts>-<thread>.jsonl`): who
 * asked (OpenAB's sender_context), what shell commands ran and how they
 * ended, and from those, every attempted upload to Discord with its outcome.
 */

export type SenderContext = {
  schema: string;
  senderId?: string;
  senderName?: string;
  displayName?: string;
  channel?: string;
  /** In a thread, the parent channel. */
  channelId?: string;
  threadId?: string;
  isBot?: boolean;
  timestamp?: string;
  receiverId?: string;
};

export type SenderContextEntry = {
  /** Line number (1-based) in the rollout, to order against tool calls. */
  line: number;
  at?: string;
  context: SenderContext;
};

export type ToolCall = {
  callId: string;
  name: string;
  line: number;
  at?: string;
  /** The shell command as the agent wrote it, with bot/bearer tokens masked. */
  command: string;
  completion?: {
    exitCode?: number;
    status?: string;
    /** Combined output, capped, tokens masked. */
    output?: string;
    at?: string;
  };
};

export type ImageGeneration = { callId: string; line: number; at?: string };

export type Rollout = {
  threadId?: string;
  startedAt?: string;
  cliVersion?: string;
  senderContexts: SenderContextEntry[];
  toolCalls: ToolCall[];
  imageGenerations: ImageGeneration[];
  /** Lines that were not JSON objects (cut off, corrupt, too long). */
  skippedLines: number;
};

const MAX_LINE = 32 * 1024 * 1024;
const MAX_OUTPUT = 16 * 1024;
const MAX_COMMAND = 16 * 1024;
const ID = /^[0-9]{1,32}$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Masks credentials an agent may have written into a command or printed. */
export function maskSecrets(text: string): string {
  return text
    .replace(/(Authorization:\s*(?:Bot|Bearer)\s+)(?!\$)[A-Za-z0-9._~+/=-]{8,}/gi, '$1***')
    .replace(/\b(M[TNzjQ][A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,})\b/g, '***')
    .replace(/\bsk-[A-Za-z0-9_-]{16,}\b/g, 'sk-***');
}

function cap(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}

/** Reads OpenAB's `<sender_context>{json}</sender_context>` blocks from a prompt. */
export function extractSenderContexts(text: string): SenderContext[] {
  const found: SenderContext[] = [];
  const block = /<sender_context>\s*([\s\S]{0,20000}?)\s*<\/sender_context>/g;
  let match: RegExpExecArray | null;
  while ((match = block.exec(text)) !== null && found.length < 50) {
    let raw: unknown;
    try {
      raw = JSON.parse(match[1]);
    } catch {
      continue;
    }
    if (!isObject(raw)) continue;
    const schema = str(raw.schema);
    if (!schema || !/^openab\.sender\.v\d+$/.test(schema)) continue;
    const context: SenderContext = { schema };
    const copy = (from: string, to: keyof SenderContext, pattern?: RegExp) => {
      const value = raw[from];
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : str(value);
      if (text !== undefined && text.length <= 200 && (!pattern || pattern.test(text))) (context as Record<string, unknown>)[to] = text;
    };
    copy('sender_id', 'senderId', ID);
    copy('sender_name', 'senderName');
    copy('display_name', 'displayName');
    copy('channel', 'channel');
    copy('channel_id', 'channelId', ID);
    copy('thread_id', 'threadId', ID);
    copy('timestamp', 'timestamp');
    copy('receiver_id', 'receiverId', ID);
    if (typeof raw.is_bot === 'boolean') context.isBot = raw.is_bot;
    found.push(context);
  }
  return found;
}

/** Where an image for this message belongs: the thread, else the channel. */
export function deliveryTarget(context: SenderContext | undefined): string | undefined {
  return context?.threadId ?? context?.channelId;
}

/** The thread id in a rollout file name (`rollout-<timestamp>-<uuid>.jsonl`). */
export function threadIdFromRolloutPath(path: string): string | undefined {
  const match = /rollout-.+?-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(path);
  return match ? match[1].toLowerCase() : undefined;
}

function* linesOf(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    yield text.slice(start, end);
    start = end + 1;
  }
}

function commandFromArguments(args: unknown): string | undefined {
  let parsed: unknown = args;
  if (typeof args === 'string') {
    try {
      parsed = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  if (!isObject(parsed)) return undefined;
  if (typeof parsed.cmd === 'string') return parsed.cmd;
  if (typeof parsed.command === 'string') return parsed.command;
  if (Array.isArray(parsed.command)) return commandFromArgv(parsed.command);
  return undefined;
}

/** `["/bin/bash", "-lc", "script"]` -> "script"; other argv joined. */
function commandFromArgv(argv: unknown[]): string | undefined {
  if (!argv.every((part) => typeof part === 'string')) return undefined;
  const parts = argv as string[];
  if (parts.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(parts[0]) && /^-l?c$/.test(parts[1])) return parts[2];
  return parts.join(' ');
}

function outputText(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (isObject(output) && typeof output.content === 'string') return output.content;
  if (Array.isArray(output)) {
    return output.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return undefined;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('\n');
}

/**
 * Reads a rollout line by line. Malformed lines are counted and skipped, so
 * a file cut off mid-write still yields everything before the cut.
 */
export function parseRolloutLines(lines: Iterable<string>): Rollout {
  const rollout: Rollout = { senderContexts: [], toolCalls: [], imageGenerations: [], skippedLines: 0 };
  const calls = new Map<string, ToolCall>();
  const fallbackContexts: SenderContextEntry[] = [];
  let lineNumber = 0;

  const callFor = (callId: string, line: number, at?: string): ToolCall => {
    let call = calls.get(callId);
    if (!call) {
      call = { callId, name: 'exec_command', line, command: '' };
      if (at) call.at = at;
      calls.set(callId, call);
      rollout.toolCalls.push(call);
    }
    return call;
  };
  const complete = (call: ToolCall, patch: NonNullable<ToolCall['completion']>) => {
    const completion = (call.completion ??= {});
    if (patch.exitCode !== undefined && completion.exitCode === undefined) completion.exitCode = patch.exitCode;
    if (patch.status !== undefined && completion.status === undefined) completion.status = patch.status;
    if (patch.output !== undefined && completion.output === undefined) completion.output = cap(maskSecrets(patch.output), MAX_OUTPUT);
    if (patch.at !== undefined && completion.at === undefined) completion.at = patch.at;
  };

  for (const rawLine of lines) {
    lineNumber++;
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.length > MAX_LINE) {
      rollout.skippedLines++;
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      rollout.skippedLines++;
      continue;
    }
    if (!isObject(record) || !isObject(record.payload)) {
      rollout.skippedLines++;
      continue;
    }
    const at = str(record.timestamp);
    const type = str(record.type);
    const payload = record.payload;
    const kind = str(payload.type);

    if (type === 'session_meta') {
      const id = str(payload.id) ?? str(payload.session_id);
      if (id && !rollout.threadId && id.length <= 100) rollout.threadId = id;
      const started = str(payload.timestamp) ?? at;
      if (started && !rollout.startedAt) rollout.startedAt = started;
      const version = str(payload.cli_version);
      if (version && version.length <= 50) rollout.cliVersion = version;
      continue;
    }
    if (!rollout.startedAt && at) rollout.startedAt = at;

    if (type === 'response_item') {
      if (kind === 'message' && payload.role === 'user') {
        for (const context of extractSenderContexts(messageText(payload.content))) {
          rollout.senderContexts.push(at ? { line: lineNumber, at, context } : { line: lineNumber, context });
        }
      } else if ((kind === 'function_call' || kind === 'local_shell_call') && typeof payload.call_id === 'string') {
        const name = str(payload.name) ?? 'shell';
        const command = kind === 'local_shell_call' && isObject(payload.action) && Array.isArray(payload.action.command)
          ? commandFromArgv(payload.action.command)
          : commandFromArguments(payload.arguments);
        if (command === undefined) continue;
        const call = callFor(payload.call_id, lineNumber, at);
        call.name = name;
        call.line = lineNumber;
        call.command = cap(maskSecrets(command), MAX_COMMAND);
      } else if (kind === 'function_call_output' && typeof payload.call_id === 'string') {
        const call = calls.get(payload.call_id);
        const output = outputText(payload.output);
        if (!call || output === undefined) continue;
        // Unified exec wraps the output: "Process exited with code N ... Output:\n<text>".
        const exited = /^Process exited with code (-?\d+)$/m.exec(output.slice(0, 2000));
        const body = /^Output:\n/m.exec(output.slice(0, 4000));
        complete(call, {
          exitCode: exited ? Number(exited[1]) : undefined,
          output: body ? output.slice(body.index + body[0].length) : output,
          at,
        });
      } else if (kind === 'image_generation_call' && typeof payload.id === 'string' && payload.id.length <= 200) {
        rollout.imageGenerations.push(at ? { callId: payload.id, line: lineNumber, at } : { callId: payload.id, line: lineNumber });
      }
      continue;
    }

    if (type === 'event_msg') {
      if (kind === 'item_completed' && isObject(payload.item)) {
        const item = payload.item;
        if (item.type === 'CommandExecution' && typeof item.id === 'string') {
          const call = callFor(item.id, lineNumber, at);
          if (!call.command && Array.isArray(item.command)) call.command = cap(maskSecrets(commandFromArgv(item.command) ?? ''), MAX_COMMAND);
          complete(call, {
            exitCode: typeof item.exit_code === 'number' ? item.exit_code : undefined,
            status: str(item.status),
            output: str(item.aggregated_output),
            at,
          });
        } else if (item.type === 'UserMessage') {
          for (const context of extractSenderContexts(messageText(item.content))) {
            fallbackContexts.push(at ? { line: lineNumber, at, context } : { line: lineNumber, context });
          }
        }
      } else if (kind === 'exec_command_end' && typeof payload.call_id === 'string') {
        // Older Codex versions.
        const call = callFor(payload.call_id, lineNumber, at);
        complete(call, {
          exitCode: typeof payload.exit_code === 'number' ? payload.exit_code : undefined,
          output: str(payload.aggregated_output) ?? str(payload.formatted_output) ?? [str(payload.stdout), str(payload.stderr)].filter(Boolean).join('\n'),
          at,
        });
      } else if (kind === 'user_message' && typeof payload.message === 'string') {
        for (const context of extractSenderContexts(payload.message)) {
          fallbackContexts.push(at ? { line: lineNumber, at, context } : { line: lineNumber, context });
        }
      }
    }
  }
  // The same prompt is recorded as a response item and as events; prefer the
  // response items, use the events only when a rollout has no such item.
  if (rollout.senderContexts.length === 0) rollout.senderContexts = fallbackContexts;
  rollout.toolCalls = rollout.toolCalls.filter((call) => call.command !== '');
  return rollout;
}

export function parseRollout(jsonl: string): Rollout {
  return parseRolloutLines(linesOf(jsonl ?? ''));
}

// ---------------------------------------------------------------------------

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
  40005: 'Request entity too large (40005): the file is over this server\'s upload limit.',
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
  60: 'the server\'s TLS certificate was not trusted',
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

function judge(output: string, exitCode: number | undefined): Pick<DiscordUpload, 'outcome' | 'messageId' | 'reason' | 'discordCode' | 'httpStatus'> {
  const status = /HTTP\/[0-9.]+ (\d{3})/.exec(output);
  const httpStatus = status ? Number(status[1]) : undefined;
  const withStatus = <T extends object>(value: T) => (httpStatus !== undefined ? { ...value, httpStatus } : value);

  const objects = jsonObjectsIn(output);
  const message = objects.find((o) => typeof o.id === 'string' && ID.test(o.id) && ('channel_id' in o || 'attachments' in o || 'content' in o));
  const error = objects.find((o) => typeof o.message === 'string' && ('code' in o || 'retry_after' in o));
  const curl = /curl: \((\d+)\) ([^\n]{0,300})/.exec(output);

  if (error) {
    const code = typeof error.code === 'number' ? error.code : undefined;
    let reason: string;
    if ('retry_after' in error) reason = `Rate limited by Discord (retry after ${Number(error.retry_after) || 0} s).`;
    else if (code !== undefined && DISCORD_CODES[code]) reason = DISCORD_CODES[code];
    else reason = `Discord refused the upload: ${cap(String(error.message), 200)}${code !== undefined ? ` (code ${code})` : ''}.`;
    return withStatus(code !== undefined ? { outcome: 'failed' as const, reason, discordCode: code } : { outcome: 'failed' as const, reason });
  }
  if (curl && Number(curl[1]) !== 22) {
    const code = Number(curl[1]);
    return withStatus({ outcome: 'failed' as const, reason: `curl ${CURL_CODES[code] ?? 'failed'} (curl: (${code}) ${cap(curl[2].trim(), 200)}).` });
  }
  if (httpStatus !== undefined && httpStatus >= 400) {
    return withStatus({ outcome: 'failed' as const, reason: `Discord answered HTTP ${httpStatus}.` });
  }
  if (curl) return withStatus({ outcome: 'failed' as const, reason: `Discord answered with an HTTP error (${cap(curl[2].trim(), 200)}).` });
  if (exitCode !== undefined && exitCode !== 0) {
    return withStatus({ outcome: 'failed' as const, reason: `The upload command exited with code ${exitCode}.` });
  }
  if (message) return withStatus({ outcome: 'ok' as const, messageId: message.id as string });
  return withStatus({ outcome: 'unknown' as const, reason: exitCode === 0 ? 'The command succeeded but printed no Discord message.' : 'No result was recorded for this command.' });
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
