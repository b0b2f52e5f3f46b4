import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedDiscord } from '../seed/types';
import { MAX_FILE_BYTES, startFakeDiscord, type FakeDiscord } from './index';

const seed: SeedDiscord = {
  botToken: 'MTIz.fake.bot-token',
  guildId: '1100000000000000001',
  channels: [
    { id: '1200000000000000001', name: 'agents', type: 'text', botCanPost: true },
    { id: '1200000000000000002', name: 'thread-one', type: 'thread', parentId: '1200000000000000001', botCanPost: true },
    { id: '1200000000000000003', name: 'read-only', type: 'text', botCanPost: false },
  ],
};
const [TEXT, THREAD, READ_ONLY] = seed.channels.map((c) => c.id);
const auth = { Authorization: `Bot ${seed.botToken}` };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const pngHeader = (w: number, h: number) => {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
};

let discord: FakeDiscord;

function postFiles(
  channel: string,
  files: Array<{ name: string; data: Buffer; type?: string }>,
  payload?: unknown,
  headers: Record<string, string> = auth,
) {
  const form = new FormData();
  if (payload !== undefined) form.append('payload_json', JSON.stringify(payload));
  files.forEach((f, i) => form.append(`files[${i}]`, new Blob([new Uint8Array(f.data)], { type: f.type ?? '' }), f.name));
  return fetch(`${discord.url}/api/v10/channels/${channel}/messages`, { method: 'POST', headers, body: form });
}

beforeAll(async () => {
  discord = await startFakeDiscord(seed, { rateLimitWindowMs: 800 });
});
afterAll(() => discord.close());
beforeEach(() => discord.setRateLimit(0));

describe('fake Discord messages endpoint', () => {
  it('accepts files[n] with payload_json and records them byte for byte', async () => {
    const image = Buffer.concat([pngHeader(640, 480), randomBytes(300_000)]);
    const notes = Buffer.from('plain text\n');
    const res = await postFiles(
      TEXT,
      [
        { name: 'chart.png', data: image, type: 'image/png' },
        { name: 'notes.txt', data: notes },
      ],
      {
        content: 'Here is the chart',
        attachments: [{ id: 0, filename: 'chart.png', description: 'a chart' }],
      },
    );
    expect(res.status).toBe(200);
    const message = await res.json();
    expect(message).toMatchObject({ channel_id: TEXT, content: 'Here is the chart', type: 0, author: { bot: true } });
    expect(message.id).toMatch(/^\d{17,20}$/);
    expect(message.attachments).toHaveLength(2);
    expect(message.attachments[0]).toMatchObject({
      filename: 'chart.png',
      size: image.length,
      content_type: 'image/png',
      description: 'a chart',
      width: 640,
      height: 480,
    });
    expect(message.attachments[1]).toMatchObject({ filename: 'notes.txt', size: notes.length, content_type: 'text/plain; charset=utf-8' });

    const downloaded = Buffer.from(await (await fetch(message.attachments[0].url)).arrayBuffer());
    expect(sha256(downloaded)).toBe(sha256(image));

    const last = discord.messages().at(-1)!;
    expect(last.status).toBe(200);
    expect(last.attachments[0].sha256).toBe(sha256(image));
    expect(last.attachments[0].data.equals(image)).toBe(true);
    expect(last.body.includes(image)).toBe(true);
    expect(last.body.length).toBe(Number(last.headers['content-length']));

    const summary = (await (await fetch(`${discord.url}/_test/messages`)).json()).messages.at(-1);
    expect(summary.attachments[0]).toEqual({
      field: 'files[0]',
      filename: 'chart.png',
      contentType: 'image/png',
      size: image.length,
      sha256: sha256(image),
    });
    expect(summary.bodySha256).toBe(sha256(last.body));
  });

  it('accepts a plain content field and posts into threads', async () => {
    const form = new FormData();
    form.append('content', 'hello thread');
    const res = await fetch(`${discord.url}/api/v10/channels/${THREAD}/messages`, { method: 'POST', headers: auth, body: form });
    expect(res.status).toBe(200);
    expect((await res.json()).content).toBe('hello thread');
  });

  it('works with curl -F as agents send it', async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'discord-test-'));
    const file = path.join(dir, 'out.png');
    const data = Buffer.concat([pngHeader(2, 2), randomBytes(5000)]);
    await fs.writeFile(file, data);
    const { stdout } = await promisify(execFile)('curl', [
      '-sS',
      '-X',
      'POST',
      '-H',
      `Authorization: Bot ${seed.botToken}`,
      '-F',
      `payload_json={"content":"from curl"}`,
      '-F',
      `files[0]=@${file}`,
      `${discord.url}/api/v10/channels/${TEXT}/messages`,
    ]);
    const message = JSON.parse(stdout);
    expect(message.attachments[0]).toMatchObject({ filename: 'out.png', size: data.length, content_type: 'image/png' });
    expect(discord.messages().at(-1)!.attachments[0].sha256).toBe(sha256(data));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers 401 without the bot token', async () => {
    for (const headers of [{}, { Authorization: 'Bot wrong' }, { Authorization: seed.botToken }] as Array<Record<string, string>>) {
      const res = await postFiles(TEXT, [], { content: 'x' }, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    }
    expect(discord.messages().at(-1)!.status).toBe(401);
  });

  it('answers 404 Unknown Channel and 403 Missing Permissions', async () => {
    const unknown = await postFiles('1299999999999999999', [], { content: 'x' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Unknown Channel', code: 10003 });
    const denied = await postFiles(READ_ONLY, [{ name: 'a.png', data: pngHeader(1, 1) }], { content: 'x' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Missing Permissions', code: 50013 });
  });

  it('answers 413 for a file over 10 MiB and 400 for an empty message', async () => {
    const big = await postFiles(TEXT, [{ name: 'big.png', data: Buffer.alloc(MAX_FILE_BYTES + 1) }]);
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ message: 'Request entity too large', code: 40005 });
    const exact = await postFiles(TEXT, [{ name: 'exact.bin', data: Buffer.alloc(MAX_FILE_BYTES) }]);
    expect(exact.status).toBe(200);
    const empty = await postFiles(TEXT, [], {});
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ message: 'Cannot send an empty message', code: 50006 });
    const badJson = await fetch(`${discord.url}/api/v10/channels/${TEXT}/messages`, {
      method: 'POST',
      headers: auth,
      body: (() => {
        const f = new FormData();
        f.append('payload_json', '{nope');
        return f;
      })(),
    });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).code).toBe(50035);
  });

  it('rate limits with 429, retry_after and X-RateLimit-Reset-After', async () => {
    discord.setRateLimit(2);
    expect((await postFiles(TEXT, [], { content: '1' })).status).toBe(200);
    const second = await postFiles(TEXT, [], { content: '2' });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await postFiles(TEXT, [], { content: '3' });
    expect(limited.status).toBe(429);
    const body = await limited.json();
    expect(body.message).toBe('You are being rate limited.');
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(0.8);
    expect(Number(limited.headers.get('x-ratelimit-reset-after'))).toBeCloseTo(body.retry_after, 2);
    expect(limited.headers.get('retry-after')).toBe('1');
    // Another channel has its own bucket.
    expect((await postFiles(THREAD, [], { content: 'other' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, body.retry_after * 1000 + 50));
    expect((await postFiles(TEXT, [], { content: '4' })).status).toBe(200);
  });
});

describe('fake Discord channels endpoint', () => {
  it('answers with the channel object', async () => {
    const res = await fetch(`${discord.url}/api/v10/channels/${THREAD}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: THREAD, type: 11, name: 'thread-one', parent_id: TEXT, guild_id: seed.guildId });
    expect((await fetch(`${discord.url}/api/v10/channels/1299999999999999999`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${discord.url}/api/v10/channels/${TEXT}`)).status).toBe(401);
  });
});
