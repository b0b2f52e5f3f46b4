import 'server-only';
import { z } from 'zod';
import { getClusters, type Cluster } from '../k8s/clusters';
import { readDocument, updateDocument, type ConfigMapDocument } from '../k8s/configmap-document';
import { getSettings } from '../settings';
import { processState } from '../process-state';

/**
 * What every replica must agree on about sessions, kept in one ConfigMap in the dashboard's own
 * namespace (not in a process's memory): per user, the time before which their sign-ins no
 * longer count (an admin ended their sessions), the session ids signed out (kept until the
 * session would have expired anyway), and each user's last sign-in (what the admin page lists).
 * Read through a short cache; written with compare-and-swap on the resourceVersion.
 */
const KEY = 'sessions.json';

const stateSchema = z.object({
  endedBefore: z.record(z.string(), z.number()).default({}),
  revoked: z.record(z.string(), z.number()).default({}),
  signIns: z.record(z.string(), z.object({ name: z.string(), provider: z.string(), at: z.number() })).default({}),
});
export type SessionState = z.infer<typeof stateSchema>;

const EMPTY: SessionState = { endedBefore: {}, revoked: {}, signIns: {} };

/** The facts of one session that decide whether it still counts. */
export interface SessionFacts {
  sid: string;
  userKey: string;
  /** Sign-in time, ms since the epoch. */
  signedInAt: number;
}

/** A user's sessions: one key per person per provider (`local:ada`, `oidc:<subject>`). */
export function userKeyOf(user: { provider: string; id: string }): string {
  return user.id.startsWith(`${user.provider}:`) ? user.id : `${user.provider}:${user.id}`;
}

/** The cluster the dashboard runs in: the first configured context (the only one in-cluster). */
function homeCluster(): Cluster {
  return getClusters()[0];
}

function parseState(text: string | undefined): SessionState {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text ?? '{}'));
    return parsed.success ? parsed.data : structuredClone(EMPTY);
  } catch {
    return structuredClone(EMPTY);
  }
}

/** Drops what can no longer matter: revocations past their session's end, old sign-ins and cut-offs. */
function pruned(state: SessionState, now: number, maxAgeMs: number): SessionState {
  const keep = <T>(rec: Record<string, T>, alive: (v: T) => boolean) => Object.fromEntries(Object.entries(rec).filter(([, v]) => alive(v)));
  return {
    revoked: keep(state.revoked, (until) => until > now),
    endedBefore: keep(state.endedBefore, (at) => at > now - maxAgeMs),
    signIns: keep(state.signIns, (s) => s.at > now - maxAgeMs),
  };
}

/**
 * This replica's copy, one per process (lib/process-state.ts): a sign-out handled by next-auth's
 * route must count at once for the routes, pages and actions of the same process.
 */
const local = processState('auth.sessionStore', () => ({
  cache: null as { state: SessionState; at: number } | null,
  inFlight: null as Promise<SessionState> | null,
  /** Bumped by every write here: a read begun before it must not replace what the write put in the cache. */
  writes: 0,
}));

/** The session list's ConfigMap, as the settings name it. */
function sessionDocument(): ConfigMapDocument<SessionState> {
  const { sessionStoreNamespace: namespace, sessionStoreName: name } = getSettings().auth;
  return { core: homeCluster().core, namespace, name, key: KEY, what: 'the session list', parse: parseState };
}

/** The shared state, at most sessionStoreCacheMs old. If the cluster cannot be read, the last state read is used. */
export async function readSessionState(now = Date.now()): Promise<SessionState> {
  const { sessionStoreCacheMs } = getSettings().auth;
  if (local.cache && now - local.cache.at < sessionStoreCacheMs) return local.cache.state;
  const writes = local.writes;
  local.inFlight ??= readDocument(sessionDocument())
    .then(({ value: state }) => {
      if (local.writes !== writes && local.cache) return local.cache.state;
      local.cache = { state, at: Date.now() };
      return state;
    })
    .catch((err) => {
      if (local.cache) {
        console.warn(
          JSON.stringify({
            level: 'warn',
            msg: 'session list not readable; using the last one read',
            error: (err as Error).message.slice(0, 300),
          }),
        );
        return local.cache.state;
      }
      throw err;
    })
    .finally(() => {
      local.inFlight = null;
    });
  return local.inFlight;
}

/** Applies `change` to the shared state (compare-and-swap, retried on conflict) and to this replica's cache. */
async function updateSessionState(change: (state: SessionState) => void): Promise<void> {
  const { sessionMaxAgeSeconds } = getSettings().auth;
  const next = await updateDocument(sessionDocument(), (state) => {
    const kept = pruned(state, Date.now(), sessionMaxAgeSeconds * 1000);
    change(kept);
    return kept;
  });
  local.writes++;
  local.cache = { state: next, at: Date.now() };
}

/** Whether a session was signed out, or ended by an admin after it began. */
export async function sessionEnded(facts: SessionFacts): Promise<boolean> {
  const state = await readSessionState();
  if (state.revoked[facts.sid]) return true;
  const cutoff = state.endedBefore[facts.userKey];
  return cutoff !== undefined && facts.signedInAt <= cutoff;
}

/** Sign-out: this session id counts nowhere any more (remembered until it would have expired). */
export function revokeSession(sid: string, expiresAt: number): Promise<void> {
  return updateSessionState((s) => {
    s.revoked[sid] = expiresAt;
  });
}

/** Ends every session of a user signed in until now, on every replica. */
export function endSessionsOf(userKey: string, at = Date.now()): Promise<void> {
  return updateSessionState((s) => {
    s.endedBefore[userKey] = at;
  });
}

export function recordSignIn(userKey: string, who: { name: string; provider: string }, at = Date.now()): Promise<void> {
  return updateSessionState((s) => {
    s.signIns[userKey] = { name: who.name, provider: who.provider, at };
  });
}

/** Forget the cached state (tests). */
export function resetSessionStoreCache(): void {
  local.cache = null;
  local.inFlight = null;
}
