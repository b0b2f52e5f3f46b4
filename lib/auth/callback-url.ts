/**
 * Where to send the browser after sign-in, from an untrusted `callbackUrl`. The value is
 * resolved as the browser would resolve it (the URL parser drops tabs and newlines, so
 * `/\t/evil.example` becomes `//evil.example`) against the dashboard's own origin, and kept only
 * when the origin is unchanged. Returns a path (with query and fragment) on that origin, or `/`.
 * Pure: used by the sign-in page, the sign-in form in the browser and next-auth's redirect callback.
 */
export function safeCallbackPath(value: string | null | undefined, origin: string): string {
  if (!value) return '/';
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(value, base);
  } catch {
    return '/';
  }
  if (target.origin !== base.origin) return '/';
  const path = `${target.pathname}${target.search}${target.hash}`;
  // A path that starts with two slashes (or a backslash) would read as another host if
  // it were ever resolved again on its own.
  return /^\/[/\\]/.test(path) ? '/' : path;
}
