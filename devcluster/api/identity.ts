// Who is asking: bearer tokens, the Impersonate-* filter and RBAC, as kube-apiserver applies them.
import type { IncomingMessage } from 'node:http';
import type { ApiServerDeps } from './http';
import { forbiddenMessage, type ResourceAttributes, type UserInfo } from './rbac';
import { ApiError, unauthorized } from './status';

export function authenticate(d: ApiServerDeps, req: IncomingMessage): UserInfo {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  const user = m ? d.tokens.get(m[1]) : undefined;
  if (!user) throw unauthorized();
  return user;
}

/** Applies Impersonate-* headers after checking the `impersonate` verb, like the real filter. */
export function impersonate(d: ApiServerDeps, req: IncomingMessage, user: UserInfo): UserInfo {
  const asUser = req.headers['impersonate-user'];
  const rawGroups = req.headersDistinct?.['impersonate-group'] ?? [];
  const groups = rawGroups.flatMap((g) => g.split(',').map((x) => x.trim())).filter(Boolean);
  if (!asUser && groups.length === 0) return user;
  if (!asUser)
    throw new ApiError(
      500,
      'InternalError',
      'Internal error occurred: requested [{Group  ' + groups.join(' ') + '}] without impersonating a user',
    );
  const userName = String(asUser);
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(userName);
  const check = (resource: string, name: string, namespace?: string) => {
    const a: ResourceAttributes = { verb: 'impersonate', group: '', resource, name, namespace };
    if (!d.rbac.allows(user, a)) throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), { name, kind: resource });
  };
  if (sa) check('serviceaccounts', sa[2], sa[1]);
  else check('users', userName);
  for (const g of groups) check('groups', g);
  const finalGroups = [...groups];
  if (sa) finalGroups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (userName !== 'system:anonymous' && !finalGroups.includes('system:authenticated')) finalGroups.push('system:authenticated');
  return { name: userName, groups: finalGroups };
}

export function authorize(d: ApiServerDeps, user: UserInfo, a: ResourceAttributes): void {
  if (!d.rbac.allows(user, a))
    throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), { name: a.name, group: a.group || undefined, kind: a.resource });
}
