import { describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS,
  PERMISSION as P,
  basePermissions,
  channelPermissions,
  excessPermissions,
  missingUploadPermissions,
  parseBits,
  type MemberContext,
  type Overwrite,
} from './permissions';

const GUILD = '100';
const BOT = '900';
const ROLE_A = '201';
const ROLE_B = '202';
const OTHER_ROLE = '203';
const s = (b: bigint) => String(b);
const UPLOAD = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.SEND_MESSAGES_IN_THREADS | P.ATTACH_FILES;

function ctx(
  everyone: bigint,
  roles: Record<string, bigint> = {},
  memberRoles: string[] = Object.keys(roles),
  ownerId?: string,
): MemberContext {
  return {
    guildId: GUILD,
    ownerId,
    memberId: BOT,
    memberRoleIds: memberRoles,
    roles: [{ id: GUILD, permissions: s(everyone) }, ...Object.entries(roles).map(([id, p]) => ({ id, permissions: s(p) }))],
  };
}
const role = (id: string, allow: bigint, deny: bigint): Overwrite => ({ id, type: 0, allow: s(allow), deny: s(deny) });
const member = (allow: bigint, deny: bigint): Overwrite => ({ id: BOT, type: 1, allow: s(allow), deny: s(deny) });

describe('channelPermissions', () => {
  const cases: Array<{ name: string; ctx: MemberContext; overwrites: Overwrite[]; missing: string[] }> = [
    { name: 'everything from @everyone, no overwrites', ctx: ctx(UPLOAD), overwrites: [], missing: [] },
    {
      name: 'role adds Attach Files to @everyone',
      ctx: ctx(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.SEND_MESSAGES_IN_THREADS, { [ROLE_A]: P.ATTACH_FILES }),
      overwrites: [],
      missing: [],
    },
    {
      name: 'a role the member lacks does not count',
      ctx: ctx(P.VIEW_CHANNEL | P.SEND_MESSAGES, { [ROLE_A]: UPLOAD }, []),
      overwrites: [],
      missing: ['Send Messages in Threads', 'Attach Files'],
    },
    {
      name: 'no permissions at all',
      ctx: ctx(0n),
      overwrites: [],
      missing: ['View Channel', 'Send Messages', 'Send Messages in Threads', 'Attach Files'],
    },
    {
      name: '@everyone overwrite denies Attach Files',
      ctx: ctx(UPLOAD),
      overwrites: [role(GUILD, 0n, P.ATTACH_FILES)],
      missing: ['Attach Files'],
    },
    {
      name: 'role overwrite allow beats @everyone overwrite deny',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(GUILD, 0n, P.ATTACH_FILES), role(ROLE_A, P.ATTACH_FILES, 0n)],
      missing: [],
    },
    {
      name: 'role overwrite deny',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(ROLE_A, 0n, P.ATTACH_FILES)],
      missing: ['Attach Files'],
    },
    {
      name: 'one role allows what another denies: allow wins',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n, [ROLE_B]: 0n }),
      overwrites: [role(ROLE_A, 0n, P.ATTACH_FILES), role(ROLE_B, P.ATTACH_FILES, 0n)],
      missing: [],
    },
    {
      name: 'overwrite of a role the member lacks is ignored',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(OTHER_ROLE, 0n, UPLOAD)],
      missing: [],
    },
    {
      name: 'member overwrite allow beats role deny',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(ROLE_A, 0n, P.ATTACH_FILES), member(P.ATTACH_FILES, 0n)],
      missing: [],
    },
    {
      name: 'member overwrite deny beats role allow',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(ROLE_A, P.ATTACH_FILES, 0n), member(0n, P.ATTACH_FILES)],
      missing: ['Attach Files'],
    },
    {
      name: 'thread sending denied only',
      ctx: ctx(UPLOAD),
      overwrites: [role(GUILD, 0n, P.SEND_MESSAGES_IN_THREADS)],
      missing: ['Send Messages in Threads'],
    },
    {
      name: 'private channel: @everyone denied view, role allowed in',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(GUILD, 0n, P.VIEW_CHANNEL), role(ROLE_A, P.VIEW_CHANNEL, 0n)],
      missing: [],
    },
    {
      name: 'private channel the bot is not let into: View Channel gates the rest',
      ctx: ctx(UPLOAD),
      overwrites: [role(GUILD, 0n, P.VIEW_CHANNEL)],
      missing: ['View Channel', 'Send Messages', 'Send Messages in Threads', 'Attach Files'],
    },
    {
      name: 'Administrator from a role ignores every deny',
      ctx: ctx(0n, { [ROLE_A]: P.ADMINISTRATOR }),
      overwrites: [role(GUILD, 0n, UPLOAD), member(0n, UPLOAD)],
      missing: [],
    },
    { name: 'Administrator on @everyone', ctx: ctx(P.ADMINISTRATOR), overwrites: [member(0n, P.VIEW_CHANNEL)], missing: [] },
    {
      name: 'an Administrator overwrite is not Administrator',
      ctx: ctx(P.VIEW_CHANNEL),
      overwrites: [member(P.ADMINISTRATOR, 0n)],
      missing: ['Send Messages', 'Send Messages in Threads', 'Attach Files'],
    },
    { name: 'guild owner has everything', ctx: ctx(0n, {}, [], BOT), overwrites: [role(GUILD, 0n, UPLOAD)], missing: [] },
    {
      name: 'member overwrite restores View Channel removed by role',
      ctx: ctx(UPLOAD, { [ROLE_A]: 0n }),
      overwrites: [role(ROLE_A, 0n, P.VIEW_CHANNEL), member(P.VIEW_CHANNEL, 0n)],
      missing: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(missingUploadPermissions(channelPermissions(c.ctx, c.overwrites))).toEqual(c.missing);
    });
  }

  it('Administrator yields every bit', () => {
    expect(channelPermissions(ctx(P.ADMINISTRATOR), [])).toBe(ALL_PERMISSIONS);
    expect(basePermissions(ctx(0n, { [ROLE_A]: P.ADMINISTRATOR }))).toBe(ALL_PERMISSIONS);
  });

  it('reads Discord permission strings beyond 2^53 exactly', () => {
    expect(parseBits(s(P.SEND_MESSAGES_IN_THREADS | 1n))).toBe(P.SEND_MESSAGES_IN_THREADS | 1n);
    expect(parseBits('not a number')).toBe(0n);
    expect(parseBits('-1')).toBe(0n);
    expect(parseBits(undefined)).toBe(0n);
  });
});

describe('excessPermissions', () => {
  const UPLOAD = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.ATTACH_FILES | P.SEND_MESSAGES_IN_THREADS;
  it('names Administrator alone, elevated permissions by name, and nothing for the upload set', () => {
    expect(excessPermissions(P.ADMINISTRATOR, ALL_PERMISSIONS)).toEqual(['Administrator']);
    expect(excessPermissions(UPLOAD | (1n << 13n), UPLOAD | (1n << 13n) | (1n << 28n))).toEqual(['Manage Messages', 'Manage Roles']);
    expect(excessPermissions(UPLOAD | (1n << 6n) | (1n << 16n), UPLOAD | (1n << 6n) | (1n << 16n))).toEqual([]);
  });
});
