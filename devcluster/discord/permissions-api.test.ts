// The calls a readiness check makes to learn the bot's permissions, answered from the seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedDiscord } from '../seed/types';
import { startFakeDiscord, type FakeDiscord } from './index';

const seed: SeedDiscord = {
  botToken: 'MTIz.fake.bot-token',
  guildId: '1100000000000000001',
  botUserId: '1300000000000000009',
  botRoleIds: ['1400000000000000001'],
  roles: [
    { id: '1100000000000000001', name: '@everyone', permissions: '1024', position: 0, managed: false },
    { id: '1400000000000000001', name: 'OpenAB', permissions: '274877941760', position: 1, managed: true },
  ],
  channels: [
    {
      id: '1200000000000000001',
      name: 'art',
      type: 'text',
      botCanPost: false,
      permissionOverwrites: [{ id: '1400000000000000001', type: 0, allow: '0', deny: '32768' }],
    },
    { id: '1200000000000000002', name: 'thread', type: 'thread', parentId: '1200000000000000001', botCanPost: false },
  ],
};
const auth = { Authorization: `Bot ${seed.botToken}` };
let discord: FakeDiscord;
const get = (path: string, headers: Record<string, string> = auth) => fetch(`${discord.url}/api/v10${path}`, { headers });

beforeAll(async () => {
  discord = await startFakeDiscord(seed);
});
afterAll(() => discord.close());

describe('fake Discord permission endpoints', () => {
  it('answers the bot user, its member roles, the guild and its roles', async () => {
    expect(await (await get('/users/@me')).json()).toMatchObject({ id: seed.botUserId, bot: true });
    expect(await (await get(`/guilds/${seed.guildId}/members/${seed.botUserId}`)).json()).toMatchObject({
      roles: seed.botRoleIds,
      user: { id: seed.botUserId },
    });
    const guild = await (await get(`/guilds/${seed.guildId}`)).json();
    expect(guild.id).toBe(seed.guildId);
    expect(guild.owner_id).not.toBe(seed.botUserId);
    expect(guild.roles.map((r: { permissions: string }) => r.permissions)).toEqual(['1024', '274877941760']);
    expect(await (await get(`/guilds/${seed.guildId}/roles`)).json()).toHaveLength(2);
  });

  it('gives text channels their overwrites and threads their parent', async () => {
    expect(await (await get('/channels/1200000000000000001')).json()).toMatchObject({
      type: 0,
      guild_id: seed.guildId,
      permission_overwrites: [{ id: '1400000000000000001', type: 0, deny: '32768' }],
    });
    expect(await (await get('/channels/1200000000000000002')).json()).toMatchObject({ type: 11, parent_id: '1200000000000000001' });
  });

  it('refuses without the bot token and for unknown guilds and members, like Discord', async () => {
    expect((await get(`/guilds/${seed.guildId}`, {})).status).toBe(401);
    expect((await get('/users/@me', { Authorization: 'Bot wrong' })).status).toBe(401);
    const unknownGuild = await get('/guilds/999');
    expect(unknownGuild.status).toBe(404);
    expect((await unknownGuild.json()).code).toBe(10004);
    expect((await (await get(`/guilds/${seed.guildId}/members/123`)).json()).code).toBe(10007);
    expect((await get('/channels/42')).status).toBe(404);
  });
});
