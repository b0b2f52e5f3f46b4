// Discord's permission arithmetic for one member in one channel, as Discord documents it
// ("Permission Overwrites"): the guild base from @everyone and the member's roles, then the
// channel's overwrites in a fixed order (@everyone, the member's roles together, the member),
// Administrator bypassing everything, and View Channel gating every other permission.
// Pure: no I/O, so it is tested on tables of cases.

export const PERMISSION = {
  ADMINISTRATOR: 1n << 3n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  ATTACH_FILES: 1n << 15n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
} as const;

/** Every permission bit Discord defines today fits below this; Administrator grants them all. */
export const ALL_PERMISSIONS = (1n << 64n) - 1n;

export interface GuildRole {
  id: string;
  /** Decimal string, as Discord sends it. */
  permissions: string;
}

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member. */
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface MemberContext {
  guildId: string;
  ownerId?: string | null;
  roles: GuildRole[];
  memberId: string;
  memberRoleIds: string[];
}

/** Discord's permission strings are decimal; anything else counts as no permission at all. */
export function parseBits(value: string | number | null | undefined): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  return 0n;
}

/** Guild-level permissions: @everyone's, OR'd with each of the member's roles. */
export function basePermissions(ctx: MemberContext): bigint {
  if (ctx.ownerId && ctx.ownerId === ctx.memberId) return ALL_PERMISSIONS;
  let perms = parseBits(ctx.roles.find((r) => r.id === ctx.guildId)?.permissions);
  for (const role of ctx.roles) if (ctx.memberRoleIds.includes(role.id)) perms |= parseBits(role.permissions);
  return perms & PERMISSION.ADMINISTRATOR ? ALL_PERMISSIONS : perms;
}

/** The member's permissions in a channel with these overwrites. */
export function channelPermissions(ctx: MemberContext, overwrites: Overwrite[]): bigint {
  const base = basePermissions(ctx);
  if (base & PERMISSION.ADMINISTRATOR) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === ctx.guildId);
  if (everyone) perms = (perms & ~parseBits(everyone.deny)) | parseBits(everyone.allow);
  // Role overwrites apply together: a role's allow beats another role's deny.
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== ctx.guildId && ctx.memberRoleIds.includes(o.id)) {
      allow |= parseBits(o.allow);
      deny |= parseBits(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.id === ctx.memberId);
  if (member) perms = (perms & ~parseBits(member.deny)) | parseBits(member.allow);
  // Without View Channel a member has no other permission in the channel.
  if (!(perms & PERMISSION.VIEW_CHANNEL)) return 0n;
  return perms;
}

/** What posting a file needs, named as Discord's client names them. */
export const UPLOAD_NEEDS: Array<{ bit: bigint; label: string }> = [
  { bit: PERMISSION.VIEW_CHANNEL, label: 'View Channel' },
  { bit: PERMISSION.SEND_MESSAGES, label: 'Send Messages' },
  { bit: PERMISSION.SEND_MESSAGES_IN_THREADS, label: 'Send Messages in Threads' },
  { bit: PERMISSION.ATTACH_FILES, label: 'Attach Files' },
];

/** The upload permissions missing from `perms`, by name (empty when the bot may post files). */
export function missingUploadPermissions(perms: bigint): string[] {
  return UPLOAD_NEEDS.filter((n) => !(perms & n.bit)).map((n) => n.label);
}

/**
 * Permissions an uploading bot has no use for and a leaked token would hand out: moderation,
 * management, mentions of everyone. (The harmless ones @everyone usually grants, such as Add
 * Reactions or Read Message History, are not counted.)
 */
export const ELEVATED_PERMISSIONS: Array<{ bit: bigint; label: string }> = [
  { bit: 1n << 1n, label: 'Kick Members' },
  { bit: 1n << 2n, label: 'Ban Members' },
  { bit: 1n << 4n, label: 'Manage Channels' },
  { bit: 1n << 5n, label: 'Manage Server' },
  { bit: 1n << 7n, label: 'View Audit Log' },
  { bit: 1n << 13n, label: 'Manage Messages' },
  { bit: 1n << 17n, label: 'Mention Everyone' },
  { bit: 1n << 27n, label: 'Manage Nicknames' },
  { bit: 1n << 28n, label: 'Manage Roles' },
  { bit: 1n << 29n, label: 'Manage Webhooks' },
  { bit: 1n << 30n, label: 'Manage Expressions' },
  { bit: 1n << 33n, label: 'Manage Events' },
  { bit: 1n << 34n, label: 'Manage Threads' },
  { bit: 1n << 40n, label: 'Moderate Members' },
];

/**
 * What the bot holds beyond what uploading needs, by name: just `Administrator` when it has
 * that (it implies everything), else the elevated permissions it has in the channel.
 */
export function excessPermissions(base: bigint, perms: bigint): string[] {
  if (base & PERMISSION.ADMINISTRATOR) return ['Administrator'];
  return ELEVATED_PERMISSIONS.filter((p) => perms & p.bit).map((p) => p.label);
}
