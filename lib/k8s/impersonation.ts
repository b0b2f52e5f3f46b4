import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as k8s from '@kubernetes/client-node';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { ClusterError } from './errors';
import { getSettings, type ImpersonationSettings } from '../settings';
import { processState } from '../process-state';

/**
 * Impersonation mode (IMPERSONATION=true): every call to the cluster carries Impersonate-User
 * and Impersonate-Group for the signed-in person, so Kubernetes RBAC decides and the cluster's
 * audit log names them. The identity travels with the request (AsyncLocalStorage set by the
 * guard) rather than through every function's arguments; where no store is set (a page after
 * requirePageUser), the registered resolver reads the session of the current request.
 */

/** Who the cluster should see. */
export interface KubeIdentity {
  user: string;
  groups: string[];
}

export type RequestIdentity = { kind: 'user'; identity: KubeIdentity } | { kind: 'dashboard' };

/** The parts of a signed-in user the mapping needs (a SessionUser fits). */
export interface IdentitySource {
  id: string;
  name: string;
  email: string | null;
  role: string;
  groups: string[];
  provider: string;
}

export function impersonationEnabled(): boolean {
  return getSettings().impersonation.enabled;
}

/**
 * The Kubernetes identity of a signed-in person. OIDC users: the e-mail or the subject
 * (IMPERSONATE_USER_CLAIM, default email) and their groups claim, with the prefixes the API
 * server's --oidc-username-prefix / --oidc-groups-prefix add (IMPERSONATE_USER_PREFIX,
 * IMPERSONATE_GROUP_PREFIX). Local users have no identity of their own in the cluster:
 * `dashboard:<name>` in group `dashboard:<role>`, which an admin can bind like any other.
 */
export function kubeIdentityOf(user: IdentitySource, settings: ImpersonationSettings = getSettings().impersonation): KubeIdentity {
  if (user.provider === 'local') {
    const name = user.id.startsWith('local:') ? user.id.slice('local:'.length) : user.name;
    return { user: `dashboard:${name}`, groups: [`dashboard:${user.role}`] };
  }
  const claim = settings.userClaim;
  const value = claim === 'sub' ? user.id : user.email;
  if (!value) {
    throw new ClusterError(
      claim === 'sub'
        ? 'Your sign-in has no subject, so the dashboard cannot act as you in the cluster.'
        : 'Your sign-in has no e-mail address, so the dashboard cannot act as you in the cluster. Ask an admin to set IMPERSONATE_USER_CLAIM=sub.',
      'unauthorized',
      401,
    );
  }
  const { userPrefix, groupPrefix } = settings;
  // system: groups are the API server's own; a claim must not grant them.
  const groups = user.groups.filter((g) => g && !g.startsWith('system:')).map((g) => `${groupPrefix}${g}`);
  return { user: `${userPrefix}${value}`, groups };
}

/**
 * One per process (lib/process-state.ts): the cluster clients are shared by every bundle, so the
 * identity a page or an action runs with must be found by whichever copy of this module built them.
 */
const identityState = processState('k8s.identity', () => ({
  storage: new AsyncLocalStorage<RequestIdentity>(),
  resolver: null as (() => Promise<RequestIdentity | null>) | null,
}));
const { storage } = identityState;

/** Runs fn (and everything it starts) with this identity toward the cluster. */
export function runWithIdentity<T>(identity: RequestIdentity, fn: () => T): T {
  return storage.run(identity, fn);
}

/** The dashboard's own writes (its audit Events) are made as the dashboard, not as the user. */
export function asDashboard<T>(fn: () => T): T {
  return storage.run({ kind: 'dashboard' }, fn);
}

/** How to find the signed-in user when no store was set: the guard registers one that reads the session. */
export function setIdentityResolver(fn: (() => Promise<RequestIdentity | null>) | null): void {
  identityState.resolver = fn;
}

/** The identity the next cluster call should carry. Fails closed: no user, no call. */
export async function currentIdentity(): Promise<RequestIdentity> {
  if (!impersonationEnabled()) return { kind: 'dashboard' };
  const stored = storage.getStore();
  if (stored) return stored;
  let resolved: RequestIdentity | null = null;
  try {
    resolved = identityState.resolver ? await identityState.resolver() : null;
  } catch {
    resolved = null;
  }
  if (!resolved)
    throw new ClusterError(
      'The dashboard acts as the signed-in user, and no signed-in user was found for this request. Sign in again.',
      'unauthorized',
      401,
    );
  return resolved;
}

export function identityLabel(id: RequestIdentity): string {
  return id.kind === 'dashboard' ? 'the dashboard' : `your Kubernetes identity (${id.identity.user})`;
}

/** Header values: one Impersonate-Group line per group, as the API server reads them. */
export function impersonationHeaders(id: KubeIdentity): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = { 'impersonate-user': id.user };
  if (id.groups.length) h['impersonate-group'] = [...id.groups];
  return h;
}

const IMPERSONATE = /^impersonate-/i;

/** Request headers (object, flat array or pairs) with ours set and any other Impersonate-* dropped. */
export function withImpersonationHeaders(headers: unknown, id: KubeIdentity): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: unknown) => {
    if (IMPERSONATE.test(k) || v === undefined || v === null) return;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  };
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) for (const [k, v] of headers as [string, unknown][]) add(k, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function' && typeof headers !== 'string') {
    for (const [k, v] of headers as Iterable<[string, unknown]>) add(k, v);
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) add(k, v);
  }
  return { ...out, ...impersonationHeaders(id) };
}

/** A dispatcher that adds the identity's headers to every request it sends. */
export function impersonatingDispatcher(base: Dispatcher, id: KubeIdentity): Dispatcher {
  return base.compose((dispatch) => (opts, handler) => dispatch({ ...opts, headers: withImpersonationHeaders(opts.headers, id) }, handler));
}

/**
 * A kubeconfig whose requests carry the current request's identity. The client only knows
 * Impersonate-User; groups need their own header lines, so they are added where the client
 * builds its transports: the undici dispatcher of API calls (fetch would join repeated
 * headers into one comma-separated line, which the API server reads as ONE group) and the
 * WebSocket options of exec (Node's http writes an array value as one line per item).
 */
export class ImpersonatingKubeConfig extends k8s.KubeConfig {
  override async applySecurityAuthentication(context: Parameters<k8s.KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    const id = await currentIdentity();
    await super.applySecurityAuthentication(context);
    if (id.kind !== 'user') return;
    const base = (context as unknown as { getDispatcher(): Dispatcher | undefined }).getDispatcher() ?? getGlobalDispatcher();
    (context as unknown as { setDispatcher(d: Dispatcher): void }).setDispatcher(impersonatingDispatcher(base, id.identity));
  }

  override async applyToHTTPSOptions(opts: Parameters<k8s.KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    const id = await currentIdentity();
    await super.applyToHTTPSOptions(opts);
    if (id.kind !== 'user') return;
    const o = opts as { headers?: unknown };
    o.headers = withImpersonationHeaders(o.headers, id.identity);
  }
}

/** Answers per person and question; a check in flight is shared, so requests arriving together ask once. */
const accessChecks = processState(
  'k8s.accessChecks',
  () => new Map<string, { at: number; answer: Promise<{ allowed: boolean; reason?: string }> }>(),
);
const ACCESS_CHECK_TTL_MS = 30_000;

export interface AccessQuestion {
  namespace: string;
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  name?: string;
}

/**
 * What the dashboard keeps (probe results, image lists, thumbnails, the watched Deployments,
 * Pods and Events) was read with someone's rights; in impersonation mode it is served only to a
 * user the cluster allows the question for (asked as that user, remembered 30 s). Without
 * impersonation every user shares the dashboard's rights, so there is nothing to check.
 */
export async function requireAccess(
  check: (c: AccessQuestion) => Promise<{ allowed: boolean; reason?: string }>,
  clusterId: string,
  question: AccessQuestion,
): Promise<void> {
  if (!impersonationEnabled()) return;
  const id = await currentIdentity();
  if (id.kind !== 'user') return;
  const q = question;
  const key = [
    id.identity.user,
    id.identity.groups.join('\u0001'),
    clusterId,
    q.namespace,
    q.verb,
    q.group ?? '',
    q.resource,
    q.subresource ?? '',
    q.name ?? '',
  ].join('\u0000');
  let entry = accessChecks.get(key);
  if (!entry || Date.now() - entry.at > ACCESS_CHECK_TTL_MS) {
    entry = { at: Date.now(), answer: check(question) };
    if (accessChecks.size > 5_000) accessChecks.clear();
    accessChecks.set(key, entry);
    // A check that threw is not kept: the next request asks again.
    const added = entry;
    added.answer.catch(() => accessChecks.get(key) === added && accessChecks.delete(key));
  }
  const answer = await entry.answer;
  if (!answer.allowed)
    throw new ClusterError(
      answer.reason ?? `The cluster does not let ${identityLabel(id)} ${q.verb} ${q.resource} in ${q.namespace || 'the cluster'}.`,
      'forbidden',
      403,
    );
}

/** Cached pod data goes only to someone the cluster lets exec into that pod (or namespace). */
export function requireExecAccess(
  check: (c: AccessQuestion) => Promise<{ allowed: boolean; reason?: string }>,
  clusterId: string,
  namespace: string,
  pod?: string,
): Promise<void> {
  return requireAccess(check, clusterId, { namespace, verb: 'create', resource: 'pods', subresource: 'exec', name: pod });
}

export function resetExecChecksForTests(): void {
  accessChecks.clear();
}
