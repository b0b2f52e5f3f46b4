// Roles are ordered: each one may do everything the ones below it may.
export const ROLES = ['viewer', 'support', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'Viewer',
  support: 'Support',
  operator: 'Operator',
  admin: 'Admin',
};

/**
 * Role mapping from settings: ROLES_ADMIN, ROLES_OPERATOR, ROLES_SUPPORT, ROLES_VIEWER each hold a
 * comma-separated list of OIDC groups and e-mail addresses. The highest matching role wins;
 * DEFAULT_ROLE (unset = none) applies to anyone else who signs in.
 */
export interface RoleMapping {
  byRole: Record<Role, { groups: Set<string>; emails: Set<string> }>;
  defaultRole: Role | null;
}

export function parseRoleMapping(env: Record<string, string | undefined>): RoleMapping {
  const byRole = {} as RoleMapping['byRole'];
  for (const role of ROLES) {
    const entries = (env[`ROLES_${role.toUpperCase()}`] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    byRole[role] = {
      emails: new Set(entries.filter((e) => e.includes('@')).map((e) => e.toLowerCase())),
      groups: new Set(entries.filter((e) => !e.includes('@'))),
    };
  }
  const fallback = env.DEFAULT_ROLE?.trim();
  return { byRole, defaultRole: isRole(fallback) ? fallback : null };
}

export function roleFor(mapping: RoleMapping, identity: { email?: string | null; groups: string[] }): Role | null {
  const email = identity.email?.toLowerCase();
  for (const role of [...ROLES].reverse()) {
    const rule = mapping.byRole[role];
    if (email && rule.emails.has(email)) return role;
    if (identity.groups.some((g) => rule.groups.has(g))) return role;
  }
  return mapping.defaultRole;
}
