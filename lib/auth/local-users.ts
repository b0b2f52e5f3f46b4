import { scrypt, scryptSync, timingSafeEqual, randomBytes } from 'node:crypto';
import { processState } from '../process-state';
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
  /** Hashes on libuv's thread pool, not on the event loop: a sign-in never stalls other requests. */
  verify(password: string): Promise<boolean>;
}

const KEY_LENGTH = 32;

export function hashPassword(password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, KEY_LENGTH).toString('base64')}`;
}

function scryptAsync(password: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, (err, key) => (err ? reject(err) : resolve(key))));
}

function verifierFor(stored: string): (password: string) => Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return async () => false;
  const salt = Buffer.from(saltB64, 'base64');
  const expected = Buffer.from(hashB64, 'base64');
  if (expected.length === 0) return async () => false;
  return async (password) => timingSafeEqual(await scryptAsync(password, salt, expected.length), expected);
}

/**
 * For a name that does not exist: the same scrypt work as a real check, so the time taken does
 * not tell which names exist. Always false.
 */
const DUMMY_HASH = `scrypt$${Buffer.alloc(16, 7).toString('base64')}$${Buffer.alloc(KEY_LENGTH, 1).toString('base64')}`;
const dummyVerify = verifierFor(DUMMY_HASH);
export async function verifyNobody(password: string): Promise<false> {
  await dummyVerify(password);
  return false;
}

/**
 * DEMO_PASSWORD's check. Its hash is made on the first sign-in, on the thread pool: a page that
 * only asks for a role (every request does) never pays for a scrypt, nor stalls the event loop.
 */
function demoVerifier(password: string): (candidate: string) => Promise<boolean> {
  const salt = randomBytes(16);
  let expected: Promise<Buffer> | null = null;
  return async (candidate) => {
    expected ??= scryptAsync(password, salt, KEY_LENGTH);
    const [given, wanted] = await Promise.all([scryptAsync(candidate, salt, KEY_LENGTH), expected]);
    return timingSafeEqual(given, wanted);
  };
}

/** One per process: the sign-in route and the pages are separate bundles (lib/process-state.ts). */
const memo = processState('auth.localUsers', () => ({ key: null as string | null, users: [] as LocalUser[] }));

/**
 * The local accounts the settings define now. Remembered while LOCAL_USERS and DEMO_PASSWORD
 * stay the same (every request asks for a role).
 */
export function loadLocalUsers(env: Record<string, string | undefined>): LocalUser[] {
  const key = JSON.stringify([env.LOCAL_USERS ?? '', env.DEMO_PASSWORD ?? '']);
  if (memo.key === key) return memo.users;
  const users: LocalUser[] = [];
  for (const entry of (env.LOCAL_USERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, role, ...rest] = entry.split(':');
    if (!name || !isRole(role)) continue;
    users.push({ name, role, verify: verifierFor(rest.join(':')) });
  }
  const demoPassword = env.DEMO_PASSWORD;
  if (demoPassword) {
    const verify = demoVerifier(demoPassword);
    for (const role of ROLES) users.push({ name: role, role, verify });
  }
  memo.key = key;
  memo.users = users;
  return users;
}
