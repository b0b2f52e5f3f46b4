// How the dashboard's server sizes V8's heap. A gallery page moves tens of megabytes
// through TLS and WebSocket buffers, all short-lived. Under that allocation rate V8's own
// rule set the old generation's next limit only 10-40% above the live heap, a margin
// smaller than the young generation. V8 then started a full (incremental) collection after
// nearly every scavenge: about seven on a first gallery page, of a heap that did not grow.
// They cost a fifth of the process's CPU, on cores it shares with sharp. With a fixed
// growth of 100%, the limit after a full collection is twice the live heap: those
// collections stop, and the gallery stays within its memory target (`npm run bench`).
import v8 from 'node:v8';

let applied: { percent: number | null } | null = null;

/**
 * Sets the heap's growth once per process, before the first request (see instrumentation.ts).
 * V8 reads the flag each time it recomputes its limits, so setting it after start-up takes
 * effect at the next collection. `percent` is HEAP_GROWING_PERCENT as lib/settings.ts reads it.
 * Returns the growth in force (null: V8's own).
 */
export function tuneHeap(percent: number | null): number | null {
  if (applied) return applied.percent;
  if (percent !== null) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  applied = { percent };
  return percent;
}
