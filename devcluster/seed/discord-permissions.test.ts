import { describe, expect, it } from 'vitest';
import {
  BOT_ROLE_ID,
  canPostFiles,
  channelPermissions,
  guildRoles,
  overwritesFor,
  PERMISSION,
  type ChannelAccess,
} from './discord-permissions';

const GUILD = '1000';
const BOT = '2000';
const permsFor = (access: ChannelAccess) =>
  channelPermissions({
    guildId: GUILD,
    roles: guildRoles(GUILD),
    memberRoleIds: [BOT_ROLE_ID],
    memberId: BOT,
    overwrites: overwritesFor(access, GUILD, BOT),
  });

describe('seeded Discord permissions', () => {
  it.each<[ChannelAccess, boolean, boolean]>([
    ['open', true, true],
    ['no-attach', false, false],
    ['no-thread-send', true, false],
    ['private', true, true],
    ['member-override', true, true],
  ])('%s: post in channel %s, in threads %s', (access, inChannel, inThread) => {
    expect(canPostFiles(permsFor(access), false)).toBe(inChannel);
    expect(canPostFiles(permsFor(access), true)).toBe(inThread);
  });

  it('hides a private channel from @everyone but not from the bot role', () => {
    const everyoneOnly = channelPermissions({
      guildId: GUILD,
      roles: guildRoles(GUILD),
      memberRoleIds: [],
      memberId: '3',
      overwrites: overwritesFor('private', GUILD, BOT),
    });
    expect(everyoneOnly & PERMISSION.VIEW_CHANNEL).toBe(0n);
    expect(permsFor('private') & PERMISSION.VIEW_CHANNEL).toBe(PERMISSION.VIEW_CHANNEL);
  });

  it('lets Administrator override every deny', () => {
    const roles = guildRoles(GUILD).map((r) => (r.id === BOT_ROLE_ID ? { ...r, permissions: String(PERMISSION.ADMINISTRATOR) } : r));
    const perms = channelPermissions({
      guildId: GUILD,
      roles,
      memberRoleIds: [BOT_ROLE_ID],
      memberId: BOT,
      overwrites: overwritesFor('no-attach', GUILD, BOT),
    });
    expect(canPostFiles(perms, true)).toBe(true);
  });
});
