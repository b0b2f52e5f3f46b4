// Discord's permission model for the seeded guild: roles, the bot's roles and channel
// overwrites, so the fake Discord can answer the calls a readiness check makes, with
// permissions that differ between channels (and botCanPost always agreeing with them).

export const PERMISSION = {
  ADMINISTRATOR: 1n << 3n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
} as const;

/**
 * How the bot fares in a channel:
 * - open: nothing special, the bot may post files in the channel and its threads;
 * - no-attach: an overwrite on the bot's role denies Attach Files (uploads answer 50013);
 * - no-thread-send: the bot may post in the channel but not in its threads;
 * - private: @everyone cannot see it, the bot's role is allowed in;
 * - member-override: the role is denied Attach Files but the bot's own member overwrite
 *   allows it (member overwrites win).
 */
export type ChannelAccess = 'open' | 'no-attach' | 'no-thread-send' | 'private' | 'member-override';

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member, as Discord encodes it. */
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface Role {
  id: string;
  name: string;
  permissions: string;
  position: number;
  managed: boolean;
}

export const BOT_ROLE_ID = '887766554433221100';

export function guildRoles(guildId: string): Role[] {
  const p = PERMISSION;
  return [
    {
      id: guildId,
      name: '@everyone',
      position: 0,
      managed: false,
      permissions: String(
        p.VIEW_CHANNEL | p.SEND_MESSAGES | p.SEND_MESSAGES_IN_THREADS | p.CREATE_PUBLIC_THREADS | p.READ_MESSAGE_HISTORY | p.ADD_REACTIONS,
      ),
    },
    {
      id: BOT_ROLE_ID,
      name: 'OpenAB',
      position: 1,
      managed: true,
      permissions: String(
        p.VIEW_CHANNEL | p.SEND_MESSAGES | p.SEND_MESSAGES_IN_THREADS | p.ATTACH_FILES | p.EMBED_LINKS | p.READ_MESSAGE_HISTORY,
      ),
    },
  ];
}

export function overwritesFor(access: ChannelAccess, guildId: string, botUserId: string): Overwrite[] {
  const p = PERMISSION;
  const role = (allow: bigint, deny: bigint): Overwrite => ({ id: BOT_ROLE_ID, type: 0, allow: String(allow), deny: String(deny) });
  switch (access) {
    case 'open':
      return [];
    case 'no-attach':
      return [role(0n, p.ATTACH_FILES)];
    case 'no-thread-send':
      return [role(0n, p.SEND_MESSAGES_IN_THREADS)];
    case 'private':
      return [{ id: guildId, type: 0, allow: '0', deny: String(p.VIEW_CHANNEL) }, role(p.VIEW_CHANNEL, 0n)];
    case 'member-override':
      return [role(0n, p.ATTACH_FILES), { id: botUserId, type: 1, allow: String(p.ATTACH_FILES), deny: '0' }];
  }
}

/** Discord's computation: base from roles, then @everyone, role and member overwrites. */
export function channelPermissions(opts: {
  guildId: string;
  roles: Role[];
  memberRoleIds: string[];
  memberId: string;
  overwrites: Overwrite[];
}): bigint {
  let perms = 0n;
  for (const r of opts.roles) if (r.id === opts.guildId || opts.memberRoleIds.includes(r.id)) perms |= BigInt(r.permissions);
  if (perms & PERMISSION.ADMINISTRATOR) return ~0n;
  const apply = (o?: Overwrite) => {
    if (o) perms = (perms & ~BigInt(o.deny)) | BigInt(o.allow);
  };
  apply(opts.overwrites.find((o) => o.type === 0 && o.id === opts.guildId));
  let allow = 0n;
  let deny = 0n;
  for (const o of opts.overwrites) {
    if (o.type === 0 && o.id !== opts.guildId && opts.memberRoleIds.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  apply(opts.overwrites.find((o) => o.type === 1 && o.id === opts.memberId));
  return perms;
}

/** May the bot post a file here? In a thread the parent's overwrites apply. */
export function canPostFiles(perms: bigint, inThread: boolean): boolean {
  const need =
    PERMISSION.VIEW_CHANNEL | PERMISSION.ATTACH_FILES | (inThread ? PERMISSION.SEND_MESSAGES_IN_THREADS : PERMISSION.SEND_MESSAGES);
  return (perms & need) === need;
}
