// rbac: the dashboard's own namespace (charts/openab-dashboard/tests/code-permissions.ts reads this marker)
import 'server-only';
import { logActivity } from '../audit/log-activity';
import { getClusters } from '../k8s/clusters';
import { getSettings } from '../settings';
import { UserFacingError } from '../errors';
import type { SessionUser } from './guard';
import { endSessionsOf, readSessionState } from './session-store';

/** One person who signed in within the session lifetime (so may still hold a session). */
export interface SignedInUser {
  key: string;
  name: string;
  provider: string;
  lastSignInAt: number;
  /** When an admin last ended their sessions (null: never, within the session lifetime). */
  endedAt: number | null;
}

export async function listSignedInUsers(): Promise<SignedInUser[]> {
  const state = await readSessionState();
  const maxAgeMs = getSettings().auth.sessionMaxAgeSeconds * 1000;
  const now = Date.now();
  return Object.entries(state.signIns)
    .filter(([, s]) => s.at > now - maxAgeMs)
    .map(([key, s]) => ({ key, name: s.name, provider: s.provider, lastSignInAt: s.at, endedAt: state.endedBefore[key] ?? null }))
    .sort((a, b) => b.lastSignInAt - a.lastSignInAt);
}

/** Ends every session of one user on every replica, and records who did it. */
export async function endAllSessionsOf(userKey: string, actor: SessionUser): Promise<{ name: string }> {
  const state = await readSessionState();
  const target = state.signIns[userKey];
  if (!target) throw new UserFacingError('Nobody with that name has signed in recently; there is no session to end.');
  const { sessionStoreNamespace, sessionStoreName } = getSettings().auth;
  const cluster = getClusters()[0];
  const entry = {
    user: { name: actor.name, email: actor.email, role: actor.role },
    action: 'end-sessions',
    agent: { cluster: cluster.id, namespace: sessionStoreNamespace, name: sessionStoreName },
    after: userKey,
  };
  try {
    await endSessionsOf(userKey);
  } catch (err) {
    await logActivity(cluster, { ...entry, result: 'failure', detail: (err as Error).message });
    throw err;
  }
  await logActivity(cluster, { ...entry, result: 'success' });
  return { name: target.name };
}
