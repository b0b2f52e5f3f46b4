import 'server-only';
import { availableParallelism } from 'node:os';
import type { NextAuthOptions } from 'next-auth';
import { encode } from 'next-auth/jwt';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getSettings } from '../settings';
import { safeCallbackPath } from './callback-url';
import { clientAddressOf } from './client-address';
import { LocalSignIn } from './local-sign-in';
import { processState } from '../process-state';
import { loadLocalUsers } from './local-users';
import { checkSession, identityOf, newSessionIdentity, roleOf, sessionExpiresAt, tokenFields } from './session';
import { recordSignIn, revokeSession, userKeyOf } from './session-store';

const auth = getSettings().auth;

/** What the sign-in form shows for a locked name or address, and for a server too busy hashing. */
export const LOCKED_OUT = 'LockedOut';
export const BUSY = 'Busy';

/** One per process (lib/process-state.ts): lockouts must count every failed sign-in. */
const localSignIn = processState(
  'auth.localSignIn',
  () =>
    new LocalSignIn(() => loadLocalUsers(getSettings().auth.accounts), {
      maxFailuresPerName: auth.signInMaxFailures,
      maxFailuresPerAddress: auth.signInMaxFailuresPerAddress,
      windowMs: 15 * 60_000,
      // Half the cores at most: scrypt is CPU work, and the event loop needs a core to serve everyone else.
      hashConcurrency: Math.max(1, Math.floor(availableParallelism() / 2)),
      maxWaiting: 64,
    }),
);

/** Whether local sign-ins from the client of these request headers are locked out now. */
export function signInAddressLocked(headers: Headers): boolean {
  return localSignIn.addressLocked(clientAddressOf(Object.fromEntries(headers), auth.trustedProxyHops));
}

/** Thrown by the jwt callback for a session past its absolute lifetime: next-auth then deletes the cookie. */
class SessionExpired extends Error {
  constructor() {
    super('SessionExpired');
  }
}

export function oidcConfigured(): boolean {
  return getSettings().auth.oidc !== null;
}

export function localSignInEnabled(): boolean {
  return loadLocalUsers(getSettings().auth.accounts).length > 0;
}

function groupsFrom(profile: Record<string, unknown>, claim: string): string[] {
  const value = profile[claim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string')
    return value
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  return [];
}

function buildProviders(): NextAuthOptions['providers'] {
  const providers: NextAuthOptions['providers'] = [];
  const oidc = auth.oidc;
  if (oidc) {
    const { issuer, groupsClaim } = oidc;
    providers.push({
      id: 'oidc',
      name: oidc.name ?? 'Single sign-on',
      type: 'oauth',
      wellKnown: `${issuer}/.well-known/openid-configuration`,
      issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      authorization: { params: { scope: oidc.scopes } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile(profile: Record<string, unknown>) {
        return {
          id: String(profile.sub),
          name: (profile.name as string) || (profile.email as string) || String(profile.sub),
          email: (profile.email as string) ?? null,
          groups: groupsFrom(profile, groupsClaim),
        };
      },
    });
  }
  const localUsers = loadLocalUsers(auth.accounts);
  if (localUsers.length > 0) {
    providers.push(
      CredentialsProvider({
        id: 'local',
        name: 'Local account',
        credentials: { username: { label: 'User', type: 'text' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const username = String(credentials?.username ?? '').slice(0, 200);
          const password = String(credentials?.password ?? '').slice(0, 1000);
          const address = clientAddressOf((req?.headers ?? {}) as Record<string, string>, auth.trustedProxyHops);
          const outcome = await localSignIn.attempt(username, password, address);
          if (outcome.ok) return { id: `local:${outcome.user.name}`, name: outcome.user.name, email: null };
          if (outcome.reason === 'locked') throw new Error(LOCKED_OUT);
          if (outcome.reason === 'busy') throw new Error(BUSY);
          console.warn(JSON.stringify({ level: 'warn', msg: 'local sign-in failed', user: username.slice(0, 64), address }));
          return null;
        },
      }),
    );
  }
  return providers;
}

export const authOptions: NextAuthOptions = {
  providers: buildProviders(),
  secret: auth.secret,
  session: { strategy: 'jwt', maxAge: auth.sessionMaxAgeSeconds },
  jwt: {
    maxAge: auth.sessionMaxAgeSeconds,
    // The token expires at sign-in + SESSION_MAX_AGE_SECONDS, however often next-auth re-issues
    // it (it does on every /api/auth/session): an absolute lifetime, not a sliding one.
    async encode(params) {
      const identity = identityOf(params.token ?? null);
      const left = identity ? Math.floor((sessionExpiresAt(identity) - Date.now()) / 1000) : params.maxAge;
      return encode({ ...params, maxAge: Math.max(1, Math.min(left ?? auth.sessionMaxAgeSeconds, auth.sessionMaxAgeSeconds)) });
    },
  },
  pages: { signIn: '/signin', error: '/signin' },
  logger: {
    error(code, metadata) {
      // An expired session is not an error; next-auth reports it as one while deleting the cookie.
      if (code === 'JWT_SESSION_ERROR' && metadata instanceof SessionExpired) return;
      const err = metadata instanceof Error ? metadata : (metadata as { error?: unknown } | undefined)?.error;
      console.error(
        JSON.stringify({ level: 'error', msg: 'next-auth', code, error: err instanceof Error ? err.message.slice(0, 300) : undefined }),
      );
    },
    warn(code) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'next-auth', code }));
    },
    debug() {},
  },
  callbacks: {
    async signIn({ user, account }) {
      if (account?.provider === 'oidc' && !roleOf(newSessionIdentity({ ...user, groups: (user as { groups?: string[] }).groups }, 'oidc')))
        return '/signin?error=NoRole';
      return true;
    },
    async redirect({ url, baseUrl }) {
      return new URL(safeCallbackPath(url, baseUrl), baseUrl).toString();
    },
    async jwt({ token, user, account }) {
      if (user && account) {
        // Identity only: the role is derived on every request (lib/auth/session.ts).
        const identity = newSessionIdentity({ ...user, groups: (user as { groups?: string[] }).groups }, account.provider);
        recordSignIn(userKeyOf(identity), { name: identity.name, provider: identity.provider }, identity.signedInAt).catch((err) =>
          console.warn(
            JSON.stringify({ level: 'warn', msg: 'sign-in not recorded in the session list', error: (err as Error).message.slice(0, 300) }),
          ),
        );
        return { ...tokenFields(identity) } as typeof token;
      }
      const identity = identityOf(token);
      if (!identity || Date.now() >= sessionExpiresAt(identity)) throw new SessionExpired();
      return token;
    },
    async session({ session, token }) {
      const identity = identityOf(token);
      // Without a user the guard and the browser see no session. A cluster that cannot be
      // asked whether the session was ended means no session too, but the cookie is kept.
      const check = identity
        ? await checkSession(identity).catch((err: Error) => {
            console.error(JSON.stringify({ level: 'error', msg: 'session not checked', error: err.message.slice(0, 300) }));
            return null;
          })
        : null;
      if (!identity || !check?.ok) return { expires: session.expires } as typeof session;
      return {
        ...session,
        expires: new Date(sessionExpiresAt(identity)).toISOString(),
        user: {
          id: identity.id,
          name: identity.name,
          email: identity.email,
          role: check.role,
          groups: identity.groups,
          provider: identity.provider,
        },
      };
    },
  },
  events: {
    async signOut({ token }) {
      const identity = identityOf(token);
      if (identity) await revokeSession(identity.sid, sessionExpiresAt(identity));
    },
  },
};
