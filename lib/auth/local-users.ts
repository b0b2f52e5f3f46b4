import { scryptSync, timingSafeEqual, randomBytes } from 'node:crypto';
import { ROLES, isRole, type Role } from './roles';

/**
 * Local sign-in for the demo and small installs.
 * LOCAL_USERS: comma-separated `name:role:scrypt$<salt-b64>$<hash-b64>` entries (make one with
 * `npx tsx scripts/hash-password.ts`). DEMO_PASSWORD: one user per role (viewer, support,
 * operator, admin), each named after its role, all with this password.
 */
export interface LocalUser {
  name: string;
  role: Role;
  verify(password: string): boolean;
}

export function hashPassword(password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

function verifierFor(stored: string): (password: string) => boolean {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return () => false;
  const salt = Buffer.from(saltB64, 'base64');
  const expected = Buffer.from(hashB64, 'base64');
  return (password) => {
    const actual = scryptSync(password, salt, expected.length);
    return timingSafeEqual(actual, expected);
  };
}

export function loadLocalUsers(env: Record<string, string | undefined>): LocalUser[] {
  const users: LocalUser[] = [];
  for (const entry of (env.LOCAL_USERS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, role, ...rest] = entry.split(':');
    if (!name || !isRole(role)) continue;
    users.push({ name, role, verify: verifierFor(rest.join(':')) });
  }
  const demoPassword = env.DEMO_PASSWORD;
  if (demoPassword) {
    const verify = verifierFor(hashPassword(demoPassword));
    for (const role of ROLES) users.push({ name: role, role, verify });
  }
  return users;
}
