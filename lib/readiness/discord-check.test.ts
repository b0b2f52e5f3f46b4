// The readiness permission check against the dev cluster's fake Discord, over HTTP: a bot
// that holds Administrator or moderation permissions is warned about, one with just what
// uploading needs is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../devcluster/discord';
import type { SeedDiscord } from '../../devcluster/seed/types';
import { resetSettings } from '../settings';
import { channelName, checkChannelPermissions, resetDiscordCacheForTests } from './discord-check';

const GUILD = '1100000000000000001';
const BOT_ROLE = '1400000000000000001';
const UPLOAD = String((1n << 10n) | (1n << 11n) | (1n << 15n) | (1n << 38n));
const seedWith = (botRolePermissions: string): SeedDiscord => ({
  botToken: 'MTIz.fake.bot-token',
  guildId: GUILD,
  botUserId: '1300000000000000009',
  botRoleIds: [BOT_ROLE],
  roles: [
    { id: GUILD, name: '@everyone', permissions: '0', position: 0, managed: false },
    { id: BOT_ROLE, name: 'OpenAB', permissions: botRolePermissions, position: 1, managed: true },
  ],
  channels: [{ id: '1200000000000000001', name: 'art', type: 'text', botCanPost: true, permissionOverwrites: [] }],
});

let discord: FakeDiscord | null = null;
async function start(permissions: string) {
  await discord?.close();
  resetDiscordCacheForTests();
  discord = await startFakeDiscord(seedWith(permissions));
  process.env.DISCORD_API_BASE = discord.url;
  // Settings are read once per process: this test's Discord is a new one each time.
  resetSettings();
}
beforeAll(() => start(UPLOAD));
afterAll(async () => {
  await discord?.close();
  delete process.env.DISCORD_API_BASE;
  resetSettings();
});

describe('checkChannelPermissions', () => {
  it('says nothing more for a bot with just the upload permissions, and names the channel', async () => {
    await start(UPLOAD);
    const result = await checkChannelPermissions('MTIz.fake.bot-token', ['1200000000000000001']);
    expect(result).toMatchObject({ status: 'ok', channels: [{ status: 'pass', name: 'art' }] });
    expect(result.status === 'ok' && result.note).toBeFalsy();
    expect(await channelName('MTIz.fake.bot-token', '1200000000000000001')).toBe('art');
  });
  it('warns when the bot holds Administrator', async () => {
    await start(String(1n << 3n));
    const result = await checkChannelPermissions('MTIz.fake.bot-token', ['1200000000000000001']);
    expect(result.status === 'ok' && result.note).toMatch(/^Warning: the bot that uploads holds Administrator \(in #art\)/);
  });
  it('warns when the bot holds more than it needs', async () => {
    await start(String(BigInt(UPLOAD) | (1n << 13n)));
    const result = await checkChannelPermissions('MTIz.fake.bot-token', ['1200000000000000001']);
    expect(result.status === 'ok' && result.note).toMatch(/holds more than it needs \(Manage Messages in #art\)/);
  });
});
