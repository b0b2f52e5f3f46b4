import { describe, expect, it } from 'vitest';
import { parseRoleMapping, roleAtLeast, roleFor } from './roles';
import { hashPassword, loadLocalUsers } from './local-users';

describe('roles', () => {
  it('orders viewer < support < operator < admin', () => {
    expect(roleAtLeast('admin', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'operator')).toBe(true);
    expect(roleAtLeast('support', 'operator')).toBe(false);
    expect(roleAtLeast('viewer', 'support')).toBe(false);
  });

  it('maps groups and e-mail addresses, highest role winning', () => {
    const m = parseRoleMapping({ ROLES_ADMIN: 'platform-admins, boss@example.com', ROLES_OPERATOR: 'sre', ROLES_VIEWER: 'everyone' });
    expect(roleFor(m, { email: 'BOSS@example.com', groups: [] })).toBe('admin');
    expect(roleFor(m, { email: 'x@example.com', groups: ['everyone', 'sre'] })).toBe('operator');
    expect(roleFor(m, { email: 'x@example.com', groups: ['everyone'] })).toBe('viewer');
    expect(roleFor(m, { email: 'x@example.com', groups: ['other'] })).toBeNull();
  });

  it('gives DEFAULT_ROLE to the unmatched only when it is a real role', () => {
    expect(roleFor(parseRoleMapping({ DEFAULT_ROLE: 'viewer' }), { groups: [] })).toBe('viewer');
    expect(roleFor(parseRoleMapping({ DEFAULT_ROLE: 'root' }), { groups: [] })).toBeNull();
  });
});

describe('local users', () => {
  it('verifies scrypt hashes from LOCAL_USERS and rejects wrong passwords', async () => {
    const users = loadLocalUsers({ LOCAL_USERS: `ada:operator:${hashPassword('correct horse')},bad:root:x` });
    expect(users.map((u) => u.name)).toEqual(['ada']);
    expect(await users[0].verify('correct horse')).toBe(true);
    expect(await users[0].verify('wrong')).toBe(false);
  });

  it('makes one demo user per role from DEMO_PASSWORD', async () => {
    const users = loadLocalUsers({ DEMO_PASSWORD: 's3cret' });
    expect(users.map((u) => `${u.name}:${u.role}`)).toEqual(['viewer:viewer', 'support:support', 'operator:operator', 'admin:admin']);
    for (const u of users) expect([await u.verify('s3cret'), await u.verify('S3cret')]).toEqual([true, false]);
  });

  it('hashes off the event loop: verify returns before the hash is done', async () => {
    const [ada] = loadLocalUsers({ LOCAL_USERS: `ada:operator:${hashPassword('correct horse')}` });
    // On the event loop the hash would be done before any other callback could run.
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    expect(await ada.verify('wrong')).toBe(false);
    expect(otherWorkRan).toBe(true);
  });
});
