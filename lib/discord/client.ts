// Posts a file to a Discord channel or thread the way Discord documents it: multipart with
// `payload_json` and `files[0]`, a Bot token. Rate limits are waited out, transient server
// errors retried a bounded number of times, and every refusal comes back in plain words
// that say what to fix. The token never appears in an error, a log line or a return value.

import { BrandedError } from '../errors';

/** Discord's per-file limit on servers without boosts. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface DiscordFile {
  name: string;
  contentType: string;
  data: Buffer;
}

export interface SendOptions {
  /** `https://discord.com/api/v10` (the part before `/channels`). */
  apiBase: string;
  token: string;
  channelId: string;
  file: DiscordFile;
  content?: string;
  maxFileBytes?: number;
  /** Retries of 5xx answers and network failures (429s are waited out separately). */
  maxRetries?: number;
  maxRateLimitWaits?: number;
  /** Longest single wait for a rate limit; longer ones fail with a clear message. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  fetchImpl?: typeof fetch;
}

export interface SentMessage {
  messageId: string;
  channelId: string;
  attachmentUrl: string | null;
  attempts: number;
}

export type DiscordFailure =
  'unauthorized' | 'forbidden' | 'not-found' | 'too-large' | 'rate-limited' | 'bad-request' | 'server' | 'network';

export class DiscordSendError extends BrandedError {
  static override readonly brand: string = 'DiscordSendError';

  constructor(
    message: string,
    readonly kind: DiscordFailure,
    readonly status?: number,
    readonly code?: number,
  ) {
    super(message);
  }
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** DISCORD_API_BASE may be a bare host (the dev cluster's fake); the API lives under /api/v10. */
export function normalizeApiBase(base: string): string {
  const trimmed = base.trim().replace(/\/+$/, '');
  return /\/api(\/v\d+)?$/.test(trimmed) ? (/\/api$/.test(trimmed) ? `${trimmed}/v10` : trimmed) : `${trimmed}/api/v10`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function explain(status: number, body: Record<string, unknown>, opts: SendOptions): DiscordSendError {
  const code = typeof body.code === 'number' ? body.code : undefined;
  const said = typeof body.message === 'string' ? body.message.slice(0, 200) : '';
  if (status === 401)
    return new DiscordSendError(
      "Discord refused the bot token (401 Unauthorized). Check DISCORD_FILE_BOT_TOKEN / DISCORD_BOT_TOKEN or the agent Secret's discord-bot-token: it is wrong, revoked or not a bot token.",
      'unauthorized',
      status,
      code,
    );
  if (status === 403) {
    if (code === 50001)
      return new DiscordSendError(
        `The bot cannot see channel ${opts.channelId} (403, Missing Access 50001). Add the bot to that channel or thread, or pick another target.`,
        'forbidden',
        status,
        code,
      );
    return new DiscordSendError(
      `The bot may not post files in ${opts.channelId} (403${code ? `, code ${code}` : ''}: ${said || 'Missing Permissions'}). Give the bot Send Messages (Send Messages in Threads for a thread) and Attach Files there, or pick another target.`,
      'forbidden',
      status,
      code,
    );
  }
  if (status === 404)
    return new DiscordSendError(
      `Discord does not know channel ${opts.channelId} (404${code ? `, code ${code}` : ''}). Check the id: the thread may be deleted or archived, or the id belongs to another server.`,
      'not-found',
      status,
      code,
    );
  if (status === 413 || code === 40005)
    return new DiscordSendError(
      `Discord refused the file as too large (${mib(opts.file.data.length)}). This server's upload limit is lower; 10 MiB applies without boosts. Send a smaller image.`,
      'too-large',
      status,
      code,
    );
  if (status === 429)
    return new DiscordSendError('Discord kept rate-limiting the upload. Wait a minute and try again.', 'rate-limited', status, code);
  if (status >= 500)
    return new DiscordSendError(`Discord failed with ${status} after several tries. Try again in a few minutes.`, 'server', status, code);
  return new DiscordSendError(
    `Discord refused the upload (${status}${code ? `, code ${code}` : ''}: ${said || 'bad request'}).`,
    'bad-request',
    status,
    code,
  );
}

/** Sends one file; resolves with the message, or throws DiscordSendError in plain words. */
export async function sendDiscordFile(opts: SendOptions): Promise<SentMessage> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (opts.file.data.length > maxBytes) {
    throw new DiscordSendError(
      `The image is ${mib(opts.file.data.length)}, over Discord's upload limit of ${mib(maxBytes)}; nothing was sent. Send a smaller version.`,
      'too-large',
    );
  }
  if (!/^[0-9]{17,20}$/.test(opts.channelId))
    throw new DiscordSendError(`"${opts.channelId.slice(0, 40)}" is not a Discord channel or thread id (17 to 20 digits).`, 'bad-request');
  if (!opts.token)
    throw new DiscordSendError(
      "No Discord bot token is configured: set DISCORD_FILE_BOT_TOKEN or DISCORD_BOT_TOKEN, or give the agent's Secret a discord-bot-token.",
      'unauthorized',
    );
  const doFetch = opts.fetchImpl ?? fetch;
  const sleep = opts.sleep ?? sleepMs;
  const maxRetries = opts.maxRetries ?? 3;
  const maxWaits = opts.maxRateLimitWaits ?? 5;
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const url = `${normalizeApiBase(opts.apiBase)}/channels/${opts.channelId}/messages`;
  let retries = 0;
  let waits = 0;
  for (let attempt = 1; ; attempt++) {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: opts.content ?? '', attachments: [{ id: 0, filename: opts.file.name }] }));
    form.append('files[0]', new Blob([new Uint8Array(opts.file.data)], { type: opts.file.contentType }), opts.file.name);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { Authorization: `Bot ${opts.token}` },
        body: form,
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      if (retries++ < maxRetries) {
        await sleep(backoff(retries));
        continue;
      }
      const why = (err as Error)?.name === 'TimeoutError' ? 'timed out' : 'could not connect';
      throw new DiscordSendError(
        `The dashboard ${why} to Discord (${hostOf(url)}) after ${attempt} tries. Check the dashboard's network egress and DISCORD_API_BASE.`,
        'network',
      );
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed;
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    if (res.ok && typeof body.id === 'string') {
      const attachments = Array.isArray(body.attachments) ? (body.attachments as Array<Record<string, unknown>>) : [];
      return {
        messageId: body.id,
        channelId: typeof body.channel_id === 'string' ? body.channel_id : opts.channelId,
        attachmentUrl: typeof attachments[0]?.url === 'string' ? (attachments[0].url as string) : null,
        attempts: attempt,
      };
    }
    if (res.status === 429 && waits++ < maxWaits) {
      const after = Number(body.retry_after ?? res.headers.get('x-ratelimit-reset-after') ?? res.headers.get('retry-after') ?? 1);
      const ms = Math.ceil((Number.isFinite(after) && after >= 0 ? after : 1) * 1000) + 50;
      if (ms > maxWaitMs)
        throw new DiscordSendError(
          `Discord asked to wait ${Math.ceil(ms / 1000)} s before posting again. Try again later.`,
          'rate-limited',
          429,
        );
      await sleep(ms);
      continue;
    }
    if (res.status >= 500 && retries++ < maxRetries) {
      await sleep(backoff(retries));
      continue;
    }
    throw explain(res.status, body, opts);
  }
}

function backoff(retry: number): number {
  return Math.min(8_000, 250 * 2 ** (retry - 1)) + Math.floor(Math.random() * 100);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}

/** The guild a channel belongs to (for message links); null when it cannot be read. */
export async function channelGuildId(opts: {
  apiBase: string;
  token: string;
  channelId: string;
  fetchImpl?: typeof fetch;
}): Promise<string | null> {
  try {
    const res = await (opts.fetchImpl ?? fetch)(`${normalizeApiBase(opts.apiBase)}/channels/${opts.channelId}`, {
      headers: { Authorization: `Bot ${opts.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { guild_id?: unknown };
    return typeof body.guild_id === 'string' && /^[0-9]{17,20}$/.test(body.guild_id) ? body.guild_id : null;
  } catch {
    return null;
  }
}

export function messageLink(guildId: string | null, channelId: string, messageId: string): string | null {
  return guildId ? `https://discord.com/channels/${guildId}/${channelId}/${messageId}` : null;
}
