/**
 * State that must exist once per process. Next.js compiles a server module once per bundle
 * layer (route handlers, server components, server actions), each copy with its own module
 * scope: a cache filled by a page and invalidated by an action would be two caches, a watch
 * opened by a page and one opened by a route two watches. What is kept here lives on
 * globalThis under a registered symbol, so every copy of a module finds the same object.
 *
 * Classes differ between the copies too: errors meant to cross them are branded (lib/errors.ts).
 */
export function processState<T>(name: string, init: () => T): T {
  const g = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(`openab.${name}`);
  if (!(key in g)) g[key] = init();
  return g[key] as T;
}

/**
 * Whether two lists hold the same objects in the same order: what was derived from them (and
 * kept here) still holds. The watch cache replaces an object that changed, never edits it.
 */
export function sameObjects(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
