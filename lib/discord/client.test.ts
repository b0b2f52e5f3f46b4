// The upload client against the dev cluster's fake Discord (the real HTTP server, answering
// as Discord does), plus a small proxy in front of it for server failures.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../devcluster/discord';
import { channelGuildId, DiscordSendError, messageLink, normalizeApiBase, sendDiscordFile } from './client';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token-for-tests-only';
const OPEN = '111111111111111111';
const LOCKED = '222222222222222222';
const THREAD = '333333333333333333';
const GUILD = '999999999999999999';
let discord: FakeDiscord;
let proxy: Server;
let proxyUrl: string;
let failuresLeft = 0;
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const file = { name: 'ig_test.png', contentType: 'image/png', data: png };
const noSleep = async () => undefined;

beforeAll(async () => {
  discord = await startFakeDiscord(
    {
      botToken: TOKEN,
      guildId: GUILD,
      channels: [
        { id: OPEN, name: 'art', type: 'text', botCanPost: true },
        { id: LOCKED, name: 'locked', type: 'text', botCanPost: false },
        { id: THREAD, name: 'a thread', type: 'thread', parentId: OPEN, botCanPost: true },
      ],
    },
    { rateLimitWindowMs: 400 },
  );
  // Answers 502 while failuresLeft > 0, then forwards to the fake Discord.
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (failuresLeft > 0) {
      failuresLeft--;
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      return;
    }
    const upstream = await fetch(discord.url + req.url, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res
      .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
      .end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await discord?.close();
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
});

async function failure(p: Promise<unknown>): Promise<DiscordSendError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DiscordSendError);
    return err as DiscordSendError;
  }
  throw new Error('expected a failure');
}

describe('the Discord upload client', () => {
  it('posts payload_json and files[0] with the bot token; Discord gets the exact bytes', async () => {
    const sent = await sendDiscordFile({
      apiBase: discord.url,
      token: TOKEN,
      channelId: THREAD,
      file,
      content: 'Re-sent from the dashboard',
    });
    expect(sent.channelId).toBe(THREAD);
    const got = discord.messages().at(-1)!;
    expect(got.status).toBe(200);
    expect(got.content).toBe('Re-sent from the dashboard');
    expect(got.attachments).toHaveLength(1);
    expect(got.attachments[0]).toMatchObject({ field: 'files[0]', filename: 'ig_test.png', contentType: 'image/png', size: png.length });
    expect(got.attachments[0].sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(got.response.id).toBe(sent.messageId);
    expect(await channelGuildId({ apiBase: discord.url, token: TOKEN, channelId: THREAD })).toBe(GUILD);
    expect(messageLink(GUILD, THREAD, sent.messageId)).toBe(`https://discord.com/channels/${GUILD}/${THREAD}/${sent.messageId}`);
  });

  it('waits out a 429 for retry_after and then succeeds', async () => {
    discord.setRateLimit(1);
    try {
      await sendDiscordFile({ apiBase: discord.url, token: TOKEN, channelId: OPEN, file });
      const before = discord.messages().length;
      const waits: number[] = [];
      const sent = await sendDiscordFile({
        apiBase: discord.url,
        token: TOKEN,
        channelId: OPEN,
        file,
        sleep: (ms) => (waits.push(ms), new Promise((r) => setTimeout(r, ms))),
      });
      const tries = discord.messages().slice(before);
      expect(tries.map((m) => m.status)).toEqual([429, 200]);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(0);
      expect(waits[0]).toBeLessThanOrEqual(500);
      expect(sent.attempts).toBe(2);
    } finally {
      discord.setRateLimit(0);
    }
  });

  it('retries 5xx a bounded number of times with backoff, then succeeds', async () => {
    failuresLeft = 2;
    const waits: number[] = [];
    const sent = await sendDiscordFile({
      apiBase: proxyUrl,
      token: TOKEN,
      channelId: OPEN,
      file,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(sent.attempts).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThan(waits[0]);
  });

  it('gives up on a 5xx that persists and says so', async () => {
    failuresLeft = 100;
    const err = await failure(sendDiscordFile({ apiBase: proxyUrl, token: TOKEN, channelId: OPEN, file, sleep: noSleep, maxRetries: 2 }));
    expect(failuresLeft).toBe(97);
    failuresLeft = 0;
    expect(err.kind).toBe('server');
    expect(err.message).toMatch(/502 after several tries/);
  });

  it('401: says the token is wrong, never shows it', async () => {
    const bad = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.bad.not-the-right-token';
    const err = await failure(sendDiscordFile({ apiBase: discord.url, token: bad, channelId: OPEN, file }));
    expect(err.kind).toBe('unauthorized');
    expect(err.message).toMatch(/bot token/);
    expect(err.message).not.toContain(bad);
    expect(JSON.stringify(err)).not.toContain(bad);
  });

  it('403 50013: names the permissions the bot needs', async () => {
    const err = await failure(sendDiscordFile({ apiBase: discord.url, token: TOKEN, channelId: LOCKED, file }));
    expect(err).toMatchObject({ kind: 'forbidden', status: 403, code: 50013 });
    expect(err.message).toMatch(/Attach Files/);
  });

  it('404: says the id is unknown', async () => {
    const err = await failure(sendDiscordFile({ apiBase: discord.url, token: TOKEN, channelId: '444444444444444444', file }));
    expect(err).toMatchObject({ kind: 'not-found', status: 404, code: 10003 });
    expect(err.message).toMatch(/Check the id/);
  });

  it('413: Discord refuses a file over its limit, in plain words', async () => {
    const large = { ...file, data: Buffer.concat([png, Buffer.alloc(11 * 1024 * 1024)]) };
    const err = await failure(
      sendDiscordFile({ apiBase: discord.url, token: TOKEN, channelId: OPEN, file: large, maxFileBytes: 64 * 1024 * 1024 }),
    );
    expect(err).toMatchObject({ kind: 'too-large', status: 413 });
    expect(err.message).toMatch(/too large .*10 MiB/);
  });

  it('checks the size before sending: nothing reaches Discord', async () => {
    const before = discord.messages().length;
    const large = { ...file, data: Buffer.alloc(10 * 1024 * 1024 + 1) };
    const err = await failure(sendDiscordFile({ apiBase: discord.url, token: TOKEN, channelId: OPEN, file: large }));
    expect(err.kind).toBe('too-large');
    expect(err.message).toMatch(/nothing was sent/);
    expect(discord.messages().length).toBe(before);
  });

  it('refuses an id that is not a snowflake without calling Discord', async () => {
    const before = discord.messages().length;
    const err = await failure(sendDiscordFile({ apiBase: discord.url, token: TOKEN, channelId: '../../users/@me', file }));
    expect(err.kind).toBe('bad-request');
    expect(discord.messages().length).toBe(before);
  });

  it('a base URL without /api gets /api/v10', () => {
    expect(normalizeApiBase('http://127.0.0.1:5000')).toBe('http://127.0.0.1:5000/api/v10');
    expect(normalizeApiBase('https://discord.com/api/v10/')).toBe('https://discord.com/api/v10');
    expect(normalizeApiBase('https://proxy.example/api')).toBe('https://proxy.example/api/v10');
  });
});
