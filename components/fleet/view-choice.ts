import type { ViewKind } from './overview-params';

/** A year: the choice is a preference, not a session. */
const MAX_AGE_S = 365 * 24 * 3600;

/** Remembers a person's choice of view in their own cookie (named per user by the page). */
export function rememberView(cookieName: string, view: ViewKind): void {
  document.cookie = `${cookieName}=${view}; Path=/; Max-Age=${MAX_AGE_S}; SameSite=Lax${window.location.protocol === 'https:' ? '; Secure' : ''}`;
}
