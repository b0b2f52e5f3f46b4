/**
 * A session rollout as a read-only conversation: what people asked, what Codex answered,
 * the images it made and the commands it ran. Nothing secret leaves here: every text is
 * masked, and a command's output that may hold the environment or a token is withheld whole.
 */
import { z } from 'zod';
import { cap, extractSenderContexts, holdsSecrets, maskSecrets, promptText, type SenderContext } from './rollout';

export type ConversationEntry =
  | { kind: 'request'; at?: string; text: string; sender?: SenderContext }
  | { kind: 'reply'; at?: string; text: string }
  | { kind: 'image'; at?: string; callId: string; revisedPrompt?: string }
  | {
      kind: 'tool';
      at?: string;
      callId: string;
      name: string;
      command: string;
      exitCode?: number;
      /** The output, masked; absent when withheld or never recorded. */
      output?: string;
      /** Why the output is not shown. */
      withheld?: string;
    };

export interface Conversation {
  threadId?: string;
  startedAt?: string;
  entries: ConversationEntry[];
  /** Entries left out past the bound. */
  truncated: boolean;
}

export const MAX_CONVERSATION_ENTRIES = 1_000;
const MAX_TEXT = 16 * 1024;
const MAX_LINE = 4 * 1024 * 1024;
export const WITHHELD = 'Output withheld: it may hold environment variables or tokens.';

const text = z.string().max(MAX_LINE);
const contentParts = z.union([text, z.array(z.object({ text: text.optional() }).loose()).max(200)]);
const record = z.object({
  timestamp: z.string().max(100).optional(),
  type: z.string().max(100),
  payload: z.object({ type: z.string().max(100).optional() }).loose(),
});
const sessionMeta = z.object({ id: z.string().max(100).optional(), timestamp: z.string().max(100).optional() }).loose();
const message = z.object({ role: z.string().max(50), content: contentParts });
const functionCall = z.object({ call_id: z.string().max(200), name: z.string().max(200).optional(), arguments: text.optional() });
const functionOutput = z.object({
  call_id: z.string().max(200),
  output: z.union([text, z.object({ content: text }).loose(), z.array(z.object({ text: text.optional() }).loose()).max(200)]),
});
const imageCall = z.object({ id: z.string().max(200), revised_prompt: text.optional() });
const commandArgs = z
  .object({ cmd: text.optional(), command: z.union([text, z.array(z.string().max(MAX_LINE)).max(100)]).optional() })
  .loose();

const joinText = (content: z.infer<typeof contentParts>): string =>
  typeof content === 'string'
    ? content
    : content
        .map((part) => part.text ?? '')
        .filter(Boolean)
        .join('\n');

function commandOf(args: string | undefined): string {
  if (!args) return '';
  try {
    const parsed = commandArgs.safeParse(JSON.parse(args));
    if (!parsed.success) return '';
    const { cmd, command } = parsed.data;
    if (cmd) return cmd;
    if (typeof command === 'string') return command;
    if (Array.isArray(command)) return command.length === 3 && /-l?c$/.test(command[1]) ? command[2] : command.join(' ');
  } catch {
    // not JSON: shown as nothing rather than raw
  }
  return '';
}

/** Unified exec wraps output as `... Process exited with code N ... Output:\n<text>`. */
function unwrapOutput(output: string): { exitCode?: number; body: string } {
  const exited = /^Process exited with code (-?\d+)$/m.exec(output.slice(0, 2000));
  const body = /^Output:\n/m.exec(output.slice(0, 4000));
  return { exitCode: exited ? Number(exited[1]) : undefined, body: body ? output.slice(body.index + body[0].length) : output };
}

/** Commands whose output is the environment or a credential file, whatever it looks like. */
const SECRET_COMMAND =
  /(^|[\s|;&(])(env|printenv|set|export)\s*($|[|;&>)])|\bprintenv\b|\/proc\/\S*\/environ|auth\.json|\.credentials|\/secrets?\/|\b(echo|printf|cat)\b[^|;&]*\$\{?[A-Za-z_]*(TOKEN|SECRET|KEY|PASSWORD)/i;

export function parseConversation(lines: Iterable<string>): Conversation {
  const conversation: Conversation = { entries: [], truncated: false };
  const tools = new Map<string, Extract<ConversationEntry, { kind: 'tool' }>>();
  const add = (entry: ConversationEntry) => {
    if (conversation.entries.length >= MAX_CONVERSATION_ENTRIES) conversation.truncated = true;
    else conversation.entries.push(entry);
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.length > MAX_LINE) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = record.safeParse(json);
    if (!parsed.success) continue;
    const { timestamp: at, type, payload } = parsed.data;
    const stamp = at ? { at } : {};
    if (type === 'session_meta') {
      const meta = sessionMeta.safeParse(payload);
      if (meta.success) {
        conversation.threadId ??= meta.data.id;
        conversation.startedAt ??= meta.data.timestamp ?? at;
      }
      continue;
    }
    if (type !== 'response_item') continue;
    if (payload.type === 'message') {
      const m = message.safeParse(payload);
      if (!m.success) continue;
      const words = joinText(m.data.content);
      if (m.data.role === 'user') {
        const request = promptText(words);
        if (request === undefined) continue;
        const sender = extractSenderContexts(words).at(-1);
        add({ kind: 'request', ...stamp, text: request, ...(sender ? { sender } : {}) });
      } else if (m.data.role === 'assistant' && words.trim()) {
        add({ kind: 'reply', ...stamp, text: cap(maskSecrets(words.trim()), MAX_TEXT) });
      }
    } else if (payload.type === 'function_call') {
      const c = functionCall.safeParse(payload);
      if (!c.success) continue;
      const command = commandOf(c.data.arguments);
      const entry: Extract<ConversationEntry, { kind: 'tool' }> = {
        kind: 'tool',
        ...stamp,
        callId: c.data.call_id,
        name: c.data.name ?? 'tool',
        command: cap(maskSecrets(command), MAX_TEXT),
      };
      tools.set(entry.callId, entry);
      add(entry);
    } else if (payload.type === 'function_call_output') {
      const o = functionOutput.safeParse(payload);
      const entry = o.success ? tools.get(o.data.call_id) : undefined;
      if (!o.success || !entry) continue;
      const output = o.data.output;
      const whole = typeof output === 'string' ? output : Array.isArray(output) ? output.map((p) => p.text ?? '').join('') : output.content;
      const { exitCode, body } = unwrapOutput(whole);
      if (exitCode !== undefined) entry.exitCode = exitCode;
      if (SECRET_COMMAND.test(entry.command) || holdsSecrets(body)) entry.withheld = WITHHELD;
      else entry.output = cap(body, MAX_TEXT);
    } else if (payload.type === 'image_generation_call') {
      const g = imageCall.safeParse(payload);
      if (!g.success) continue;
      add({
        kind: 'image',
        ...stamp,
        callId: g.data.id,
        ...(g.data.revised_prompt ? { revisedPrompt: cap(maskSecrets(g.data.revised_prompt), MAX_TEXT) } : {}),
      });
    }
  }
  return conversation;
}
