import 'server-only';
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { z } from 'zod';
import { handleServerError, httpStatusOf, UserFacingError, type ActionResult } from '../errors';
import { authOptions } from './options';
import { isRole, roleAtLeast, ROLE_LABELS, type Role } from './roles';
import { refusedRedirect } from './refused-page';
import { SlidingWindowLimiter } from './rate-limit';
import { getSettings } from '../settings';
import { processState } from '../process-state';
import { cache } from 'react';
import { impersonationEnabled, kubeIdentityOf, runWithIdentity, setIdentityResolver, type RequestIdentity } from '../k8s/impersonation';

/** Actions per user per minute (ACTION_RATE_LIMIT): slows a runaway script, not a person. One per process (lib/process-state.ts). */
const actionLimiter = processState('auth.actionLimiter', () => new SlidingWindowLimiter(getSettings().actionRateLimit, 60_000));

export interface SessionUser {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  groups: string[];
  provider: string;
}

/** No session (401) or too low a role (403). */
export class GuardError extends UserFacingError {
  static override readonly brand: string = 'GuardError';

  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message, status === 401 ? 'unauthenticated' : 'forbidden');
  }
}

/**
 * The signed-in user, or null. getServerSession runs the session check of lib/auth/session.ts
 * (through the session callback in options.ts) on every call: a session signed out or ended by
 * an admin on any replica, past its absolute lifetime, or whose person the current settings give
 * no role, is no session; the role is the one the settings give now, not the one at sign-in.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as Partial<SessionUser> | undefined;
  if (!user || !isRole(user.role)) return null;
  return {
    id: user.id ?? '',
    name: user.name ?? user.email ?? user.id ?? 'unknown',
    email: user.email ?? null,
    role: user.role,
    groups: user.groups ?? [],
    provider: user.provider ?? 'local',
  };
}

/** The cluster identity of a signed-in user in impersonation mode (the dashboard's own otherwise). */
function requestIdentityOf(user: SessionUser): RequestIdentity {
  return impersonationEnabled() ? { kind: 'user', identity: kubeIdentityOf(user) } : { kind: 'dashboard' };
}

// Pages call requirePageUser and then lib code. Whether a store entered inside an awaited
// function reaches its caller depends on the Node version (async_hooks vs AsyncContextFrame), so
// cluster calls made without a store read the request's session instead (once per render,
// thanks to cache).
setIdentityResolver(
  cache(async (): Promise<RequestIdentity | null> => {
    const user = await getSessionUser();
    return user ? requestIdentityOf(user) : null;
  }),
);

/** The one check every server action and route handler makes. */
export async function authorize(min: Role): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new GuardError(401, 'Your session has ended. Sign in again.');
  if (!roleAtLeast(user.role, min)) {
    throw new GuardError(403, `This needs the ${ROLE_LABELS[min]} role; you are signed in as ${ROLE_LABELS[user.role]}.`);
  }
  return user;
}

/** For pages: no session sends the browser to sign-in, too low a role to the overview, which says why. */
export async function requirePageUser(min: Role = 'viewer', returnTo = '/'): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (!roleAtLeast(user.role, min)) redirect(refusedRedirect(returnTo));
  return user;
}

export type { ActionResult };

/** Marks functions built by defineAction/defineRoute, so a test can prove nothing skips the guard. */
export const GUARDED = Symbol.for('openab.guarded');
export interface GuardInfo {
  kind: 'action' | 'route';
  name: string;
  role: Role;
}

/**
 * Builds a server action (the safe-action pattern): session and role first, then the input
 * parsed by its schema, then the work. Never throws at the caller: failures come back as
 * `{ ok: false, code, message }` (lib/errors.ts). Callable as `action(input)` or, from
 * useActionState, as `action(previousState, formData)`.
 */
export function defineAction<S extends z.ZodType, T>(
  spec: { name: string; role: Role; input: S },
  run: (input: z.infer<S>, user: SessionUser) => Promise<T>,
) {
  const action = async (...args: unknown[]): Promise<ActionResult<T>> => {
    let user: SessionUser;
    try {
      user = await authorize(spec.role);
    } catch (err) {
      if (err instanceof GuardError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
    const wait = actionLimiter.take(`${user.provider}:${user.id}`);
    if (wait > 0)
      return {
        ok: false,
        code: 'rate-limited',
        message: `Too many actions in a short time. Wait ${Math.ceil(wait / 1000)} s and try again.`,
      };
    const raw = args.length >= 2 ? args[1] : args[0];
    const input = raw instanceof FormData ? Object.fromEntries(raw.entries()) : raw;
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.join('.') || '_';
        (fieldErrors[key] ??= []).push(issue.message);
      }
      return {
        ok: false,
        code: 'invalid-input',
        message: 'The request was not valid: ' + parsed.error.issues.map((i) => i.message).join('; '),
        fieldErrors,
      };
    }
    try {
      const identity = requestIdentityOf(user);
      return { ok: true, data: await runWithIdentity(identity, () => run(parsed.data, user)) };
    } catch (err) {
      return { ok: false, ...handleServerError(err) };
    }
  };
  Object.defineProperty(action, GUARDED, { value: { kind: 'action', name: spec.name, role: spec.role } satisfies GuardInfo });
  return action;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * Builds a route handler: cross-site requests are refused (browsers send Sec-Fetch-Site and
 * Origin; route handlers get no CSRF check of their own), then session and role.
 */
export function defineRoute(
  spec: { name: string; role: Role },
  handler: (request: Request, context: RouteContext, user: SessionUser) => Promise<Response>,
) {
  const route = async (request: Request, context: RouteContext): Promise<Response> => {
    const crossSite = await crossSiteReason(request);
    if (crossSite) return Response.json({ error: crossSite }, { status: 403 });
    let user: SessionUser;
    try {
      user = await authorize(spec.role);
    } catch (err) {
      if (err instanceof GuardError) return Response.json({ error: err.message }, { status: err.status });
      throw err;
    }
    try {
      const identity = requestIdentityOf(user);
      return await runWithIdentity(identity, () => handler(request, context, user));
    } catch (err) {
      const { code, message } = handleServerError(err);
      return Response.json({ error: message, code }, { status: httpStatusOf(code) });
    }
  };
  Object.defineProperty(route, GUARDED, { value: { kind: 'route', name: spec.name, role: spec.role } satisfies GuardInfo });
  return route;
}

async function crossSiteReason(request: Request): Promise<string | null> {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return 'Cross-site requests are not allowed.';
  const origin = request.headers.get('origin');
  if (origin) {
    const h = await headers();
    const host = h.get('x-forwarded-host') ?? h.get('host');
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'The request came from an unknown origin.';
    }
    const allowed = getSettings().allowedOrigins;
    if (originHost !== host && !allowed.includes(originHost)) return 'The request came from another site.';
  }
  return null;
}
