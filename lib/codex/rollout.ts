/**
 * Session rollouts (`sessions/YYYY/MM/DD/rollout-<ts>-<thread>.jsonl`): who
 * asked (OpenAB's sender_context), what was asked, which images Codex made
 * and what shell commands ran and how they ended. What those commands did
 * with Discord is read in discord-uploads.ts.
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

/** One image Codex made, with the story behind it: what was asked, by whom, and how Codex put it. */
export type ImageGeneration = {
  callId: string;
  line: number;
  at?: string;
  /** Codex's own rewording of the request, as sent to the image model. */
  revisedPrompt?: string;
  /** The prompt in effect when the image was made, sender_context removed. */
  request?: string;
  /** Who asked: the sender_context in effect. */
  sender?: SenderContext;
};

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
const MAX_PROMPT = 4 * 1024;
/** A Discord snowflake. */
export const ID = /^[0-9]{1,32}$/;

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Masks credentials an agent may have written into a command or printed. */
export function maskSecrets(text: string): string {
  return text
    .replace(/(Authorization:\s*(?:Bot|Bearer)\s+)(?!\$)[A-Za-z0-9._~+/=-]{8,}/gi, '$1***')
    .replace(/\b(M[TNzjQ][A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,})\b/g, '***')
    .replace(/\bsk-[A-Za-z0-9_-]{16,}\b/g, 'sk-***')
    .replace(SECRET_ASSIGNMENT, '$1=***')
    .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, '***');
}

/** `NAME=value` / `"name": "value"` where the name says it is a credential. */
const SECRET_NAME = String.raw`[A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)[A-Za-z0-9_]*`;
const SECRET_ASSIGNMENT = new RegExp(String.raw`\b(${SECRET_NAME})=(?!\*\*\*)(?!\$)[^\s"']+`, 'gi');

/**
 * Whether a tool's output may hold credentials or the environment (an `env` dump, auth.json,
 * a token): such output is withheld whole from any view, since masking what we recognise
 * cannot promise to catch what we do not.
 */
export function holdsSecrets(text: string): boolean {
  if (maskSecrets(text) !== text) return true;
  if (new RegExp(String.raw`\b${SECRET_NAME}\b\s*["']?\s*[:=]`, 'i').test(text)) return true;
  // Three or more `NAME=value` lines: an environment listing.
  const assignments = text.match(/^[A-Z_][A-Z0-9_]{1,100}=.*$/gm);
  return (assignments?.length ?? 0) >= 3 || /"(?:refresh_token|access_token|id_token|auth_mode)"/.test(text);
}

/**
 * The words of a user prompt, OpenAB's sender_context taken out, or undefined when the
 * message is Codex's own context (environment, instructions) rather than a person's request.
 */
export function promptText(text: string): string | undefined {
  const words = text.replace(/<sender_context>[\s\S]*?<\/sender_context>/g, '').trim();
  if (!words || /^(<environment_context>|<user_instructions>|<permissions instructions>|<INSTRUCTIONS>|# AGENTS\.md)/i.test(words))
    return undefined;
  return cap(maskSecrets(words), MAX_PROMPT);
}

export function cap(text: string, max: number): string {
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
  const prompts: Array<{ line: number; text: string }> = [];
  const fallbackPrompts: Array<{ line: number; text: string }> = [];
  const addPrompt = (list: typeof prompts, text: string, line: number) => {
    const words = promptText(text);
    if (words !== undefined) list.push({ line, text: words });
  };
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
        const text = messageText(payload.content);
        for (const context of extractSenderContexts(text)) {
          rollout.senderContexts.push(at ? { line: lineNumber, at, context } : { line: lineNumber, context });
        }
        addPrompt(prompts, text, lineNumber);
      } else if ((kind === 'function_call' || kind === 'local_shell_call') && typeof payload.call_id === 'string') {
        const name = str(payload.name) ?? 'shell';
        const command =
          kind === 'local_shell_call' && isObject(payload.action) && Array.isArray(payload.action.command)
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
        const generation: ImageGeneration = { callId: payload.id, line: lineNumber };
        if (at) generation.at = at;
        const revised = str(payload.revised_prompt);
        if (revised) generation.revisedPrompt = cap(maskSecrets(revised), MAX_PROMPT);
        rollout.imageGenerations.push(generation);
      }
      continue;
    }

    if (type === 'event_msg') {
      if (kind === 'item_completed' && isObject(payload.item)) {
        const item = payload.item;
        if (item.type === 'CommandExecution' && typeof item.id === 'string') {
          const call = callFor(item.id, lineNumber, at);
          if (!call.command && Array.isArray(item.command))
            call.command = cap(maskSecrets(commandFromArgv(item.command) ?? ''), MAX_COMMAND);
          complete(call, {
            exitCode: typeof item.exit_code === 'number' ? item.exit_code : undefined,
            status: str(item.status),
            output: str(item.aggregated_output),
            at,
          });
        } else if (item.type === 'UserMessage') {
          const text = messageText(item.content);
          for (const context of extractSenderContexts(text)) {
            fallbackContexts.push(at ? { line: lineNumber, at, context } : { line: lineNumber, context });
          }
          addPrompt(fallbackPrompts, text, lineNumber);
        }
      } else if (kind === 'exec_command_end' && typeof payload.call_id === 'string') {
        // Older Codex versions.
        const call = callFor(payload.call_id, lineNumber, at);
        complete(call, {
          exitCode: typeof payload.exit_code === 'number' ? payload.exit_code : undefined,
          output:
            str(payload.aggregated_output) ??
            str(payload.formatted_output) ??
            [str(payload.stdout), str(payload.stderr)].filter(Boolean).join('\n'),
          at,
        });
      } else if (kind === 'user_message' && typeof payload.message === 'string') {
        for (const context of extractSenderContexts(payload.message)) {
          fallbackContexts.push(at ? { line: lineNumber, at, context } : { line: lineNumber, context });
        }
        addPrompt(fallbackPrompts, payload.message, lineNumber);
      }
    }
  }
  // The same prompt is recorded as a response item and as events; prefer the
  // response items, use the events only when a rollout has no such item.
  if (rollout.senderContexts.length === 0) rollout.senderContexts = fallbackContexts;
  const requests = prompts.length > 0 ? prompts : fallbackPrompts;
  for (const generation of rollout.imageGenerations) {
    const request = lastBefore(requests, generation.line);
    if (request) generation.request = request.text;
    const sender = lastBefore(rollout.senderContexts, generation.line);
    if (sender) generation.sender = sender.context;
  }
  rollout.toolCalls = rollout.toolCalls.filter((call) => call.command !== '');
  return rollout;
}

/** The last entry at or before a line (entries in file order). */
function lastBefore<T extends { line: number }>(entries: readonly T[], line: number): T | undefined {
  let found: T | undefined;
  for (const entry of entries) {
    if (entry.line > line) break;
    found = entry;
  }
  return found;
}

export function parseRollout(jsonl: string): Rollout {
  return parseRolloutLines(linesOf(jsonl ?? ''));
}
