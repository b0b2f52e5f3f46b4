import 'server-only';
// Whether the agent's bot may post files in each of its allowed channels, computed from
// Discord's own answers: the bot user, the guild's roles and owner, the bot's member roles and
// each channel's overwrites (a thread's parent's). Answers are cached a minute per token and
// path, so a fleet sharing one guild costs one guild and one member call per minute.
import { createHash } from 'node:crypto';
import { discordApiBase } from '../discord/settings';
import { basePermissions, channelPermissions, excessPermissions, missingUploadPermissions, parseBits, type Overwrite } from './permissions';
import type { ChannelReadiness } from './checks';
import { processState } from '../process-state';

export const DISCORD_CACHE_MS = 60_000;
const TIMEOUT_MS = 5_000;

/** status 0: no answer (network), with the reason in `error`. */
type Answer = { status: number; body: unknown; error?: string };
const cache = processState('readiness.discord-check.cache', () => new Map<string, { at: number; answer: Promise<Answer> }>());

/** One GET, shared by every caller for a minute (failures are kept only briefly). */
function discordGet(token: string, path: string): Promise<Answer> {
  const key = `${createHash('sha256').update(token).digest('hex').slice(0, 32)} ${path}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < DISCORD_CACHE_MS) return hit.answer;
  const answer = (async (): Promise<Answer> => {
    try {
      const res = await fetch(`${discordApiBase()}${path}`, {
        headers: { Authorization: `Bot ${token}` },
        signal: AbortSignal.timeout(TIMEOUT_MS),
        cache: 'no-store',
      });
      const body = await res.json().catch(() => null);
      return { status: res.status, body };
    } catch (err) {
      return {
        status: 0,
        body: null,
        error: (err as Error).name === 'TimeoutError' ? 'Discord did not answer in time' : 'Discord could not be reached',
      };
    }
  })();
  cache.set(key, { at: Date.now(), answer });
  void answer.then((a) => {
    // Network failures and rate limits are retried sooner than a minute.
    if (a.status === 0 || a.status === 429 || a.status >= 500)
      setTimeout(() => cache.get(key)?.answer === answer && cache.delete(key), 5_000).unref?.();
  });
  if (cache.size > 5000) for (const [k, v] of cache) if (Date.now() - v.at >= DISCORD_CACHE_MS) cache.delete(k);
  return answer;
}

export function resetDiscordCacheForTests(): void {
  cache.clear();
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const discordMessage = (a: Answer) =>
  a.status === 0
    ? (a.error ?? 'no answer')
    : `${a.status}${typeof obj(a.body).message === 'string' ? ` ${obj(a.body).message}` : ''}${obj(a.body).code ? ` (code ${obj(a.body).code})` : ''}`;

export type PermissionResult =
  { status: 'ok'; channels: ChannelReadiness[]; note?: string } | { status: 'unknown'; reason: string; fix?: string };

function overwritesOf(channel: Record<string, unknown>): Overwrite[] {
  const list = Array.isArray(channel.permission_overwrites) ? channel.permission_overwrites : [];
  return list.map(obj).map((o) => ({
    id: String(o.id ?? ''),
    type: Number(o.type) === 1 ? 1 : 0,
    allow: String(o.allow ?? '0'),
    deny: String(o.deny ?? '0'),
  }));
}

const THREAD_TYPES = new Set([10, 11, 12]);

export async function checkChannelPermissions(token: string, channelIds: string[]): Promise<PermissionResult> {
  const me = await discordGet(token, '/users/@me');
  if (me.status === 401)
    return {
      status: 'unknown',
      reason: 'Discord refused the bot token (401 Unauthorized).',
      fix: "Check the bot token in the agent's Secret.",
    };
  if (me.status !== 200)
    return {
      status: 'unknown',
      reason: `Discord could not be asked: ${discordMessage(me)}.`,
      fix: "Check the dashboard's network egress and DISCORD_API_BASE, then reload.",
    };
  const botId = String(obj(me.body).id ?? '');
  const channels: ChannelReadiness[] = [];
  /** Per channel label, what the bot holds beyond uploading. */
  const excess = new Map<string, string[]>();
  for (const channelId of channelIds) {
    if (!/^\d{1,20}$/.test(channelId)) {
      channels.push({ channelId, status: 'fail', missing: [], reason: 'not a Discord channel id' });
      continue;
    }
    const ch = await discordGet(token, `/channels/${channelId}`);
    if (ch.status !== 200) {
      const code = ch.status === 0 ? 0 : Number(obj(ch.body).code);
      if (ch.status === 403 || code === 50001)
        channels.push({ channelId, status: 'fail', missing: ['View Channel'], reason: 'the bot cannot see this channel (Missing Access)' });
      else if (ch.status === 404)
        channels.push({ channelId, status: 'fail', missing: [], reason: 'unknown channel: deleted, or in a server the bot is not in' });
      else channels.push({ channelId, status: 'unknown', missing: [], reason: `Discord answered ${discordMessage(ch)}` });
      continue;
    }
    let channel = obj(ch.body);
    const name = typeof channel.name === 'string' ? channel.name : undefined;
    if (THREAD_TYPES.has(Number(channel.type)) && typeof channel.parent_id === 'string') {
      const parent = await discordGet(token, `/channels/${channel.parent_id}`);
      if (parent.status !== 200) {
        channels.push({
          channelId,
          name,
          status: 'unknown',
          missing: [],
          reason: `its parent channel could not be read: ${discordMessage(parent)}`,
        });
        continue;
      }
      channel = obj(parent.body);
    }
    const guildId = String(channel.guild_id ?? '');
    const [guild, member] = await Promise.all([
      discordGet(token, `/guilds/${guildId}`),
      discordGet(token, `/guilds/${guildId}/members/${botId}`),
    ]);
    if (guild.status !== 200 || member.status !== 200) {
      channels.push({
        channelId,
        name,
        status: 'unknown',
        missing: [],
        reason: `the server's roles could not be read: ${discordMessage(guild.status !== 200 ? guild : member)}`,
      });
      continue;
    }
    const g = obj(guild.body);
    const roles = (Array.isArray(g.roles) ? g.roles : [])
      .map(obj)
      .map((r) => ({ id: String(r.id ?? ''), permissions: String(parseBits(r.permissions as string)) }));
    const memberRoleIds = (Array.isArray(obj(member.body).roles) ? (obj(member.body).roles as unknown[]) : []).map(String);
    const ctx = { guildId, ownerId: typeof g.owner_id === 'string' ? g.owner_id : null, roles, memberId: botId, memberRoleIds };
    const perms = channelPermissions(ctx, overwritesOf(channel));
    const missing = missingUploadPermissions(perms);
    const extra = excessPermissions(basePermissions(ctx), perms);
    if (extra.length) excess.set(name ? `#${name}` : channelId, extra);
    channels.push({
      channelId,
      name,
      status: missing.length ? 'fail' : 'pass',
      missing,
      reason: missing.length ? `missing ${missing.join(', ')}` : 'may post files',
    });
  }
  return excess.size ? { status: 'ok', channels, note: overPrivilegedNote(excess) } : { status: 'ok', channels };
}

/** The warning for a bot that holds more than uploading needs (a leaked token would give it all). */
function overPrivilegedNote(excess: Map<string, string[]>): string {
  const all = [...new Set([...excess.values()].flat())];
  const where = [...excess.keys()].join(', ');
  if (all.includes('Administrator')) {
    return `Warning: the bot that uploads holds Administrator (in ${where}); it needs only View Channel, Send Messages, Send Messages in Threads and Attach Files. Use a dedicated file bot (DISCORD_FILE_BOT_TOKEN) with just those.`;
  }
  return `Warning: the bot that uploads holds more than it needs (${all.join(', ')} in ${where}); it needs only View Channel, Send Messages, Send Messages in Threads and Attach Files. Use a dedicated file bot (DISCORD_FILE_BOT_TOKEN) with just those.`;
}

/**
 * A channel's or thread's name, where this bot may read it; null otherwise. Shares the
 * minute-long cache of the permission check, so showing names beside ids costs no extra calls.
 */
export async function channelName(token: string, channelId: string): Promise<string | null> {
  if (!/^\d{1,20}$/.test(channelId)) return null;
  const answer = await discordGet(token, `/channels/${channelId}`);
  const name = answer.status === 200 ? obj(answer.body).name : undefined;
  return typeof name === 'string' && name.length > 0 ? name.slice(0, 100) : null;
}
