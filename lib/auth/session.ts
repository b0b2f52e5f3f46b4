import 'server-only';
import { randomUUID } from 'node:crypto';
import type { JWT } from 'next-auth/jwt';
import { getSettings } from '../settings';
import { loadLocalUsers } from './local-users';
import { parseRoleMapping, roleFor, type Role } from './roles';
import { sessionEnded, userKeyOf } from './session-store';

/**
 * What a session cookie holds: who signed in and when, never what they may do. The role is
 * derived again from the settings of the moment on every request (roleOf), so a role taken
 * away in LOCAL_USERS or ROLES_* counts at once.
 */
export interface SessionIdentity {
  /** `local:<name>` for local users, the OIDC subject otherwise. */
  id: string;
  name: string;
  email: string | null;
  provider: string;
  groups: string[];
  /** This session's own id: what sign-out revokes. */
  sid: string;
  /** Sign-in time (ms): the session ends SESSION_MAX_AGE_SECONDS after it, however often it is used. */
  signedInAt: number;
}

export function newSessionIdentity(
  user: { id: string; name?: string | null; email?: string | null; groups?: string[] },
  provider: string,
  now = Date.now(),
): SessionIdentity {
  return {
    id: user.id,
    name: user.name ?? user.email ?? user.id,
    email: user.email ?? null,
    provider,
    groups: user.groups ?? [],
    sid: randomUUID(),
    signedInAt: now,
  };
}

/** The identity in a decoded token, or null for a token without one (made before sessions had ids). */
export function identityOf(token: JWT | null | undefined): SessionIdentity | null {
  const t = token as Record<string, unknown> | null | undefined;
  if (!t || typeof t.sub !== 'string' || typeof t.sid !== 'string' || typeof t.signedInAt !== 'number' || typeof t.provider !== 'string')
    return null;
  return {
    id: t.sub,
    name: typeof t.name === 'string' ? t.name : t.sub,
    email: typeof t.email === 'string' ? t.email : null,
    provider: t.provider,
    groups: Array.isArray(t.groups) ? t.groups.filter((g): g is string => typeof g === 'string') : [],
    sid: t.sid,
    signedInAt: t.signedInAt,
  };
}

/** The token fields for an identity (`sub` is next-auth's name for the id). */
export function tokenFields(identity: SessionIdentity): Record<string, unknown> {
  const { id, ...rest } = identity;
  return { sub: id, ...rest };
}

/** When the session ends for good (ms). */
export function sessionExpiresAt(identity: Pick<SessionIdentity, 'signedInAt'>): number {
  return identity.signedInAt + getSettings().auth.sessionMaxAgeSeconds * 1000;
}

/** The role the current settings give this identity; null when they give none (or the local account is gone). */
export function roleOf(
  identity: Pick<SessionIdentity, 'id' | 'name' | 'email' | 'provider' | 'groups'>,
  env: Readonly<Record<string, string | undefined>> = getSettings().auth.accounts,
): Role | null {
  if (identity.provider === 'local') {
    const name = identity.id.startsWith('local:') ? identity.id.slice('local:'.length) : identity.name;
    return loadLocalUsers(env).find((u) => u.name === name)?.role ?? null;
  }
  return roleFor(parseRoleMapping(env), { email: identity.email, groups: identity.groups });
}

export type SessionCheck = { ok: true; role: Role } | { ok: false; reason: 'expired' | 'ended' | 'no-role' };

/** Whether a session still counts, and with which role: the check behind every guard call. */
export async function checkSession(identity: SessionIdentity, now = Date.now()): Promise<SessionCheck> {
  if (now >= sessionExpiresAt(identity) || identity.signedInAt > now + 60_000) return { ok: false, reason: 'expired' };
  if (await sessionEnded({ sid: identity.sid, userKey: userKeyOf(identity), signedInAt: identity.signedInAt }))
    return { ok: false, reason: 'ended' };
  const role = roleOf(identity);
  return role ? { ok: true, role } : { ok: false, reason: 'no-role' };
}
