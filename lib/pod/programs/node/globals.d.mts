// What the loader (loader.js) hands every program it runs, and what the probe is sent with.
// A .d.mts file, so the project's own type check (which takes every .ts) never sees these.
export {};
declare global {
  /** The rest of stdin after the program, as text. */
  const input: string;
  /** The nonce of this run's frames (lib/pod/frames.ts). */
  const nonce: string;
  /** lib/codex/auth.ts, sent ahead of probe-facts.js. */
  function reduceAuthJson(text: unknown): unknown;
}
