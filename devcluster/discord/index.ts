// A stand-in for the part of Discord's REST API that agents use to post files,
// answering like Discord does and keeping every request for inspection.
import { listenOnLoopback } from '../loopback';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SeedDiscord } from '../seed/types';

/** Discord's per-file upload limit without boosts. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Bodies beyond this are cut off before parsing, as Discord's edge does. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;
const MAX_CONTENT_CHARS = 2000;
const DISCORD_EPOCH = 1420070400000n;
/** A human owns the demo guild (the owner has every permission, so it is never the bot). */
const GUILD_OWNER_ID = '112233445566778899';

export interface RecordedAttachment {
  /** Form field name, e.g. `files[0]`. */
  field: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  data: Buffer;
}

export interface RecordedMessage {
  /** Order of arrival, from 1. */
  seq: number;
  receivedAt: string;
  method: string;
  path: string;
  channelId: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request body exactly as received. */
  body: Buffer;
  /** HTTP status answered. */
  status: number;
  /** The JSON answered (the message object on success, the error otherwise). */
  response: Record<string, unknown>;
  /** Message text, when the body could be parsed. */
  content?: string;
  payload?: Record<string, unknown>;
  attachments: RecordedAttachment[];
}

export interface FakeDiscordOptions {
  /** Length of a rate-limit window per channel (default 1 s). */
  rateLimitWindowMs?: number;
}

export interface FakeDiscord {
  url: string;
  close(): Promise<void>;
  /** Every request to the messages endpoint, answered or refused, in arrival order. */
  messages(): RecordedMessage[];
  /** At most n messages per channel per window; n <= 0 or Infinity lifts the limit (the default). */
  setRateLimit(n: number): void;
}

class DiscordError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

const errors = {
  unauthorized: () => new DiscordError(401, { message: '401: Unauthorized', code: 0 }),
  notFound: () => new DiscordError(404, { message: '404: Not Found', code: 0 }),
  methodNotAllowed: () => new DiscordError(405, { message: '405: Method Not Allowed', code: 0 }),
  unknownChannel: () => new DiscordError(404, { message: 'Unknown Channel', code: 10003 }),
  missingPermissions: () => new DiscordError(403, { message: 'Missing Permissions', code: 50013 }),
  tooLarge: () => new DiscordError(413, { message: 'Request entity too large', code: 40005 }),
  empty: () => new DiscordError(400, { message: 'Cannot send an empty message', code: 50006 }),
  invalidForm: (field: string, code: string, message: string) =>
    new DiscordError(400, { message: 'Invalid Form Body', code: 50035, errors: { [field]: { _errors: [{ code, message }] } } }),
};

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

function contentTypeFor(filename: string, declared: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? (declared || 'application/octet-stream');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) throw errors.tooLarge();
  return Buffer.concat(chunks);
}

interface ParsedMessage {
  content: string;
  payload?: Record<string, unknown>;
  attachments: RecordedAttachment[];
}

async function parseMessageBody(contentType: string, body: Buffer): Promise<ParsedMessage> {
  if (contentType.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      // The platform's fetch implementation has a complete multipart parser.
      form = await new Response(body as unknown as BodyInit, { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw errors.invalidForm('_', 'MULTIPART_INVALID', 'Could not parse the multipart body.');
    }
    let payload: Record<string, unknown> | undefined;
    let content = '';
    const attachments: RecordedAttachment[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') payload = parsePayload(value);
        else if (field === 'content') content = value;
        continue;
      }
      const data = Buffer.from(await value.arrayBuffer());
      attachments.push({
        field,
        filename: value.name || 'blob',
        contentType: contentTypeFor(value.name, value.type),
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        data,
      });
    }
    if (payload && typeof payload.content === 'string') content = payload.content;
    return { content, payload, attachments };
  }
  if (contentType.startsWith('application/json')) {
    const payload = parsePayload(body.toString('utf8'));
    return { content: typeof payload.content === 'string' ? payload.content : '', payload, attachments: [] };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return { content: new URLSearchParams(body.toString('utf8')).get('content') ?? '', attachments: [] };
  }
  return { content: '', attachments: [] };
}

function parsePayload(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw errors.invalidForm('payload_json', 'JSON_INVALID', 'Invalid JSON.');
}

export async function startFakeDiscord(seed: SeedDiscord, options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const windowMs = options.rateLimitWindowMs ?? 1000;
  const channels = new Map(seed.channels.map((c) => [c.id, c]));
  const recorded: RecordedMessage[] = [];
  let rateLimit = Infinity;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSnowflake = 0n;
  let url = '';
  const botUser = {
    id: seed.botUserId ?? snowflake(),
    username: 'openab',
    global_name: 'OpenAB',
    discriminator: '0',
    avatar: null,
    bot: true,
  };
  const stored = new Map<string, RecordedAttachment>();

  function snowflake(): string {
    let id = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
    if (id <= lastSnowflake) id = lastSnowflake + 1n;
    lastSnowflake = id;
    return id.toString();
  }

  /** The guild's roles as Discord lists them; @everyone (id = guild id) is always there. */
  function guildRoles(): Array<Record<string, unknown>> {
    const roles = seed.roles ?? [{ id: seed.guildId, name: '@everyone', permissions: '0', position: 0, managed: false }];
    return roles.map((r) => ({
      id: r.id,
      name: r.name,
      permissions: r.permissions,
      position: r.position,
      managed: r.managed,
      color: 0,
      hoist: false,
      mentionable: false,
      flags: 0,
    }));
  }

  function checkAuth(req: IncomingMessage): void {
    if (req.headers.authorization !== `Bot ${seed.botToken}`) throw errors.unauthorized();
  }

  function channelObject(id: string): Record<string, unknown> {
    const channel = channels.get(id)!;
    return {
      id: channel.id,
      type: channel.type === 'thread' ? 11 : 0,
      name: channel.name,
      guild_id: seed.guildId,
      ...(channel.parentId
        ? { parent_id: channel.parentId }
        : { parent_id: null, position: 0, topic: null, nsfw: false, permission_overwrites: channel.permissionOverwrites ?? [] }),
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
  }

  /** Counts one message against the channel's window; returns the headers Discord sends. */
  function takeRateLimit(channelId: string): Record<string, string> {
    if (!Number.isFinite(rateLimit) || rateLimit <= 0) return {};
    const now = Date.now();
    let window = windows.get(channelId);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      windows.set(channelId, window);
    }
    const resetAfter = Math.max(0.001, (window.start + windowMs - now) / 1000);
    const headers = {
      'X-RateLimit-Limit': String(rateLimit),
      'X-RateLimit-Reset': ((window.start + windowMs) / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': createHash('sha1').update(`messages:${channelId}`).digest('hex').slice(0, 16),
    };
    if (window.count >= rateLimit) {
      throw new DiscordError(
        429,
        { message: 'You are being rate limited.', retry_after: Number(resetAfter.toFixed(3)), global: false, code: 0 },
        { ...headers, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Scope': 'user', 'Retry-After': String(Math.ceil(resetAfter)) },
      );
    }
    window.count++;
    return { ...headers, 'X-RateLimit-Remaining': String(rateLimit - window.count) };
  }

  async function createMessage(
    req: IncomingMessage,
    channelId: string,
    body: Buffer,
    record: RecordedMessage,
  ): Promise<{ body: Record<string, unknown>; headers: Record<string, string> }> {
    checkAuth(req);
    const rateHeaders = takeRateLimit(channelId);
    const channel = channels.get(channelId);
    if (!channel) throw errors.unknownChannel();
    if (!channel.botCanPost) throw errors.missingPermissions();
    const parsed = await parseMessageBody(req.headers['content-type'] ?? '', body);
    record.content = parsed.content;
    record.payload = parsed.payload;
    record.attachments = parsed.attachments;
    if (parsed.attachments.some((a) => a.size > MAX_FILE_BYTES)) throw errors.tooLarge();
    if (parsed.content.length > MAX_CONTENT_CHARS) {
      throw errors.invalidForm('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT_CHARS} or fewer in length.`);
    }
    const embeds = Array.isArray(parsed.payload?.embeds) ? parsed.payload!.embeds : [];
    if (!parsed.content && parsed.attachments.length === 0 && embeds.length === 0) throw errors.empty();

    const messageId = snowflake();
    const described = Array.isArray(parsed.payload?.attachments) ? (parsed.payload!.attachments as Array<Record<string, unknown>>) : [];
    const attachments = parsed.attachments.map((a, index) => {
      const id = snowflake();
      const path = `/attachments/${channelId}/${id}/${encodeURIComponent(a.filename)}`;
      stored.set(`${channelId}/${id}`, a);
      const description = described.find((d) => String(d.id) === String(index))?.description;
      return {
        id,
        filename: a.filename,
        ...(typeof description === 'string' ? { description } : {}),
        size: a.size,
        url: `${url}${path}`,
        proxy_url: `${url}${path}`,
        content_type: a.contentType,
        ...(a.contentType.startsWith('image/') ? imageSize(a.data) : {}),
      };
    });
    return {
      headers: rateHeaders,
      body: {
        type: 0,
        channel_id: channelId,
        content: parsed.content,
        attachments,
        embeds,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        flags: 0,
        components: [],
        id: messageId,
        author: botUser,
        mentions: [],
        mention_roles: [],
        pinned: false,
        mention_everyone: false,
        tts: false,
        ...(channel.type === 'thread' ? { position: 0 } : {}),
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://discord');
    const method = req.method ?? 'GET';
    const messagesRoute = /^\/api\/v10\/channels\/([^/]+)\/messages$/.exec(pathname);
    const channelRoute = /^\/api\/v10\/channels\/([^/]+)$/.exec(pathname);
    const attachmentRoute = /^\/attachments\/([^/]+)\/([^/]+)\/[^/]+$/.exec(pathname);

    if (messagesRoute) {
      const body = await readBody(req).catch((err) => {
        if (err instanceof DiscordError) return err;
        throw err;
      });
      const record: RecordedMessage = {
        seq: recorded.length + 1,
        receivedAt: new Date().toISOString(),
        method,
        path: req.url ?? pathname,
        channelId: decodeURIComponent(messagesRoute[1]),
        headers: { ...req.headers },
        body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        status: 0,
        response: {},
        attachments: [],
      };
      recorded.push(record);
      try {
        if (!Buffer.isBuffer(body)) throw body;
        if (method !== 'POST') throw errors.methodNotAllowed();
        const answer = await createMessage(req, record.channelId, body, record);
        record.status = 200;
        record.response = answer.body;
        sendJson(res, 200, answer.body, answer.headers);
      } catch (err) {
        if (!(err instanceof DiscordError)) throw err;
        record.status = err.status;
        record.response = err.body;
        sendJson(res, err.status, err.body, err.headers);
      }
      return;
    }

    if (channelRoute) {
      if (method !== 'GET') throw errors.methodNotAllowed();
      checkAuth(req);
      const id = decodeURIComponent(channelRoute[1]);
      if (!channels.has(id)) throw errors.unknownChannel();
      sendJson(res, 200, channelObject(id));
      return;
    }

    const guildRoute = /^\/api\/v10\/guilds\/([^/]+)(?:\/(roles|members\/([^/]+)))?$/.exec(pathname);
    if (guildRoute || pathname === '/api/v10/users/@me') {
      if (method !== 'GET') throw errors.methodNotAllowed();
      checkAuth(req);
      if (!guildRoute) {
        sendJson(res, 200, botUser);
        return;
      }
      // The bot is a member of the seeded guild only: any other answers like Discord's 10004.
      if (decodeURIComponent(guildRoute[1]) !== seed.guildId) throw new DiscordError(404, { message: 'Unknown Guild', code: 10004 });
      if (guildRoute[2] === 'roles') {
        sendJson(res, 200, guildRoles());
        return;
      }
      if (guildRoute[3] !== undefined) {
        const userId = decodeURIComponent(guildRoute[3]);
        if (userId !== botUser.id) throw new DiscordError(404, { message: 'Unknown Member', code: 10007 });
        sendJson(res, 200, {
          user: botUser,
          nick: null,
          roles: seed.botRoleIds ?? [],
          joined_at: '2025-01-01T00:00:00.000000+00:00',
          deaf: false,
          mute: false,
          flags: 0,
        });
        return;
      }
      sendJson(res, 200, { id: seed.guildId, name: 'OpenAB demo', owner_id: GUILD_OWNER_ID, roles: guildRoles(), features: [] });
      return;
    }

    if (attachmentRoute && method === 'GET') {
      const attachment = stored.get(`${attachmentRoute[1]}/${attachmentRoute[2]}`);
      if (!attachment) throw errors.notFound();
      res.writeHead(200, { 'Content-Type': attachment.contentType, 'Content-Length': attachment.size });
      res.end(attachment.data);
      return;
    }

    if (pathname === '/_test/messages' && method === 'GET') {
      sendJson(res, 200, { messages: recorded.map(summarize) });
      return;
    }

    throw errors.notFound();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (err instanceof DiscordError) sendJson(res, err.status, err.body, err.headers);
      else if (!res.headersSent) sendJson(res, 500, { message: '500: Internal Server Error', code: 0 });
      else res.destroy();
    });
  });
  const listening = await listenOnLoopback(server);
  url = listening.url;

  return {
    url,
    close: listening.close,
    messages: () => [...recorded],
    setRateLimit(n: number) {
      rateLimit = n > 0 ? n : Infinity;
      windows.clear();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** What `GET /_test/messages` shows: everything but the raw bytes. */
function summarize(m: RecordedMessage) {
  return {
    seq: m.seq,
    receivedAt: m.receivedAt,
    method: m.method,
    path: m.path,
    channelId: m.channelId,
    contentType: m.headers['content-type'] ?? null,
    bodySize: m.body.length,
    bodySha256: createHash('sha256').update(m.body).digest('hex'),
    status: m.status,
    response: m.response,
    content: m.content ?? null,
    payload: m.payload ?? null,
    attachments: m.attachments.map(({ field, filename, contentType, size, sha256 }) => ({ field, filename, contentType, size, sha256 })),
  };
}

/** Discord reports width and height for images; PNG is what agents send. */
function imageSize(data: Buffer): { width?: number; height?: number } {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47 && data.toString('latin1', 12, 16) === 'IHDR') {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  return {};
}
