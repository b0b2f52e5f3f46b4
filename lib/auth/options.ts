import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { loadLocalUsers } from './local-users';
import { parseRoleMapping, roleFor, isRole, type Role } from './roles';
import { SignInLockout } from './rate-limit';

/** Failed local sign-ins per user name (also for names that do not exist, so as not to tell). */
const lockout = new SignInLockout(Number(process.env.SIGNIN_MAX_FAILURES ?? 5), 15 * 60_000);
/** What the sign-in form shows for a locked name. */
export const LOCKED_OUT = 'LockedOut';

const env = process.env;
const SESSION_MAX_AGE_S = Number(env.SESSION_MAX_AGE_SECONDS ?? 8 * 3600);

export function oidcConfigured(): boolean {
  return Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID);
}

export function localSignInEnabled(): boolean {
  return loadLocalUsers(env).length > 0;
}

function groupsFrom(profile: Record<string, unknown>, claim: string): string[] {
  const value = profile[claim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string') return value.split(',').map((g) => g.trim()).filter(Boolean);
  return [];
}

function buildProviders(): NextAuthOptions['providers'] {
  const providers: NextAuthOptions['providers'] = [];
  if (oidcConfigured()) {
    const issuer = env.OIDC_ISSUER!.replace(/\/$/, '');
    const groupsClaim = env.OIDC_GROUPS_CLAIM || 'groups';
    providers.push({
      id: 'oidc',
      name: env.OIDC_NAME || 'Single sign-on',
      type: 'oauth',
      wellKnown: `${issuer}/.well-known/openid-configuration`,
      issuer,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: env.OIDC_SCOPES || 'openid email profile' } },
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
  const localUsers = loadLocalUsers(env);
  if (localUsers.length > 0) {
    providers.push(
      CredentialsProvider({
        id: 'local',
        name: 'Local account',
        credentials: { username: { label: 'User', type: 'text' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials) {
          const username = String(credentials?.username ?? '').slice(0, 200);
          const password = String(credentials?.password ?? '').slice(0, 1000);
          if (lockout.lockedFor(username) > 0) throw new Error(LOCKED_OUT);
          const user = localUsers.find((u) => u.name === username);
          // Verify even for unknown names so timing does not reveal which names exist.
          const ok = (user ?? localUsers[0]).verify(password) && Boolean(user);
          if (!ok || !user) {
            lockout.recordFailure(username);
            console.warn(JSON.stringify({ level: 'warn', msg: 'local sign-in failed', user: username.slice(0, 64) }));
            return null;
          }
          lockout.recordSuccess(username);
          return { id: `local:${user.name}`, name: user.name, email: null, role: user.role } as never;
        },
      }),
    );
  }
  return providers;
}

export const authOptions: NextAuthOptions = {
  providers: buildProviders(),
  secret: env.NEXTAUTH_SECRET,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S },
  jwt: { maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: '/signin', error: '/signin' },
  callbacks: {
    async signIn({ user, account }) {
      if (account?.provider === 'oidc') {
        const role = roleFor(parseRoleMapping(env), { email: user.email, groups: (user as { groups?: string[] }).groups ?? [] });
        if (!role) return '/signin?error=NoRole';
      }
      return true;
    },
    async jwt({ token, user, account }) {
      if (user && account) {
        const groups = (user as { groups?: string[] }).groups ?? [];
        const role: Role | null =
          account.provider === 'local'
            ? ((user as { role?: Role }).role ?? null)
            : roleFor(parseRoleMapping(env), { email: user.email, groups });
        token.role = role ?? undefined;
        token.groups = groups;
        token.provider = account.provider;
        token.sub = user.id;
      }
      return token;
    },
    async session({ session, token }) {
      const role = isRole(token.role) ? token.role : undefined;
      return {
        ...session,
        user: {
          name: session.user?.name ?? null,
          email: session.user?.email ?? null,
          id: token.sub ?? '',
          role,
          groups: Array.isArray(token.groups) ? (token.groups as string[]) : [],
          provider: typeof token.provider === 'string' ? token.provider : 'local',
        },
      };
    },
  },
};
