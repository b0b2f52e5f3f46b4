// Next.js loads a page's server modules on the page's first request: its preloading at start
// stops at the entry files. Profiled on the overview, half of the first page's time to first
// byte after a start went to loading the root layout and the session code every page shares.
// So the server asks itself for the sign-in page once, as soon as it serves, and the first
// person after a start or a rollout does not wait for that.
import { setTimeout as sleep } from 'node:timers/promises';
import { nextServerOrigin } from './settings';

/** Tries, 250 ms apart, while the server is still coming up. */
const TRIES = 40;

/**
 * Asks the server for /signin once, in the background. Only inside Next.js's server (null
 * origin: a script that runs the start-up hook in its own process is left alone). Best effort:
 * a failure costs the first person the same wait as before, and says nothing.
 */
export function warmUpPages(origin: string | null = nextServerOrigin()): void {
  if (!origin) return;
  const url = new URL('/signin', origin);
  void (async () => {
    for (let i = 0; i < TRIES; i++) {
      try {
        const res = await fetch(url, { redirect: 'manual', cache: 'no-store', signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        return;
      } catch {
        await sleep(250);
      }
    }
  })();
}
