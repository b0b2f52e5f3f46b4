// The upload script run for real (sh + curl) against the dev cluster's fake Discord.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../devcluster/discord';
import { UPLOAD_SCRIPT } from './install-plan';

const TOKEN = 'MTIz.upload-script-test.SECRET-token-value';
const FILE_TOKEN = 'MTIz.file-bot.OTHER-secret-value';
const CHANNEL = '1200000000000000001';
const THREAD = '1200000000000000002';
const REFUSED = '1200000000000000003';
let discord: FakeDiscord;
let dir: string;
let script: string;
let image: Buffer;
let imagePath: string;

function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    // HOME is the test's folder: the stable copy goes under it.
    const child = spawn('sh', [script, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env } as unknown as NodeJS.ProcessEnv,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

beforeAll(async () => {
  discord = await startFakeDiscord({
    botToken: TOKEN,
    guildId: '1100000000000000001',
    channels: [
      { id: CHANNEL, name: 'requests', type: 'text', botCanPost: true },
      { id: THREAD, name: 'a thread', type: 'thread', parentId: CHANNEL, botCanPost: true },
      { id: REFUSED, name: 'no-attach', type: 'text', botCanPost: false },
    ],
  });
  dir = await fs.mkdtemp(path.join(tmpdir(), 'upload-script-'));
  script = path.join(dir, 'send-discord-image.sh');
  await fs.writeFile(script, UPLOAD_SCRIPT, { mode: 0o755 });
  image = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(200_000)]);
  imagePath = path.join(dir, '.codex', 'generated_images', 'th-1', 'ig_1.png');
  await fs.mkdir(path.dirname(imagePath), { recursive: true });
  await fs.writeFile(imagePath, image);
});
afterAll(async () => {
  await discord.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('send-discord-image.sh', () => {
  const env = () => ({ DISCORD_BOT_TOKEN: TOKEN, DISCORD_API_BASE: discord.url });

  it('delivers to the thread byte for byte, without printing the token', async () => {
    const before = discord.messages().length;
    const r = await run([imagePath, CHANNEL, THREAD, 'Here it is: "quoted" @not-a-file'], env());
    expect(r.code).toBe(0);
    expect(r.out).toContain(`delivered ${imagePath} to ${THREAD}`);
    expect(r.out).not.toContain(TOKEN);
    const sent = discord.messages().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channelId: THREAD, status: 200, content: 'Here it is: "quoted" @not-a-file' });
    expect(sent[0].attachments[0]).toMatchObject({
      filename: 'ig_1.png',
      contentType: 'image/png',
      size: image.length,
      sha256: createHash('sha256').update(image).digest('hex'),
    });
  });

  it('keeps a stable copy under the home, in the thread\u2019s folder, byte for byte', async () => {
    const stable = path.join(dir, 'generated-images', 'th-1', 'ig_1.png');
    await fs.rm(stable, { force: true });
    const r = await run([imagePath, CHANNEL, THREAD], env());
    expect(r.code).toBe(0);
    expect(r.out).toContain(`stable copy at ${stable}`);
    expect((await fs.readFile(stable)).equals(image)).toBe(true);
  });

  it('falls back to the channel without a thread id, and prefers the file bot token', async () => {
    const refused = await run([imagePath, CHANNEL, ''], { ...env(), DISCORD_FILE_BOT_TOKEN: FILE_TOKEN });
    // The fake knows one bot token: the file bot's other token is refused, which shows it was used.
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('401: Unauthorized');
    expect(refused.out).not.toContain(FILE_TOKEN);
    expect(discord.messages().at(-1)).toMatchObject({ channelId: CHANNEL, status: 401 });
    const ok = await run([imagePath, CHANNEL], env());
    expect(ok.code).toBe(0);
    expect(discord.messages().at(-1)).toMatchObject({ channelId: CHANNEL, status: 200 });
  });

  it("fails with Discord's error where the bot may not attach files", async () => {
    const r = await run([imagePath, REFUSED, ''], env());
    expect(r.code).toBe(22);
    expect(r.out).toContain('Missing Permissions');
    expect(r.out).toContain('50013');
    expect(r.out).toContain('NOT delivered');
    expect(r.out).not.toContain(TOKEN);
  });

  it('says so when no token reaches it, and checks its arguments', async () => {
    expect(await run([imagePath, CHANNEL], { DISCORD_API_BASE: discord.url })).toMatchObject({
      code: 4,
      out: expect.stringContaining('no token'),
    });
    expect((await run([imagePath, 'general'], env())).code).toBe(2);
    expect((await run([path.join(dir, 'missing.png'), CHANNEL], env())).code).toBe(2);
    expect((await run([imagePath, CHANNEL], { ...env(), DISCORD_MAX_FILE_BYTES: '1000' })).code).toBe(3);
  });
});
