import { NextResponse, type NextRequest } from 'next/server';
import { getToken } from 'next-auth/jwt';
import { SECURITY_HEADERS } from './lib/security-headers';
import { malformedPath } from './lib/url-params';
import { getSettings } from './lib/settings';

/**
 * A Content-Security-Policy with a fresh nonce per page (Next puts it on its own scripts),
 * a convenience redirect to sign-in, and the refusals of requests Next would answer with a
 * 500 (a malformed percent-escape in the path, a server action posted from another site).
 * Not the security boundary: every page, server action and route handler checks the session
 * itself (lib/auth/guard.ts).
 */
export async function proxy(request: NextRequest) {
  if (malformedPath(request.nextUrl.pathname)) {
    return refuse(request, 400, 'The address holds a malformed percent-escape (such as %ZZ): it names nothing here.');
  }
  const foreign = request.headers.get('next-action') ? foreignOrigin(request) : null;
  if (foreign) return refuse(request, 403, foreign);
  if (request.nextUrl.pathname.startsWith('/api/')) return NextResponse.next();

  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', csp);

  // A server action answers for itself (the guard returns "Sign in again"); a redirect would
  // hide that answer from the form that called it.
  const isSignIn = request.nextUrl.pathname === '/signin';
  if (!isSignIn && !request.headers.get('next-action')) {
    const token = await getToken({ req: request, secret: getSettings().auth.secret });
    if (!token) {
      const url = new URL('/signin', request.url);
      url.searchParams.set('callbackUrl', request.nextUrl.pathname + request.nextUrl.search);
      return NextResponse.redirect(url);
    }
  }
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

/**
 * Why a server action's Origin is not this dashboard (or a host in ALLOWED_ORIGINS), as Next
 * itself decides before running an action; null when it is, or when the browser sent none.
 */
function foreignOrigin(request: NextRequest): string | null {
  const origin = request.headers.get('origin');
  if (!origin) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return 'The action came from an unknown origin; actions are only taken from the dashboard’s own pages.';
  }
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  const allowed = getSettings().allowedOrigins;
  const allowedHost = (pattern: string) => (pattern.startsWith('*.') ? originHost.endsWith(pattern.slice(1)) : originHost === pattern);
  if (originHost === host || allowed.some(allowedHost)) return null;
  return 'The action came from another site; actions are only taken from the dashboard’s own pages.';
}

/** A refusal in plain words, with the headers every answer carries (JSON for routes and actions). */
function refuse(request: NextRequest, status: number, reason: string): Response {
  const headers = new Headers(SECURITY_HEADERS.map(({ key, value }): [string, string] => [key, value]));
  headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  headers.set('Cache-Control', 'no-store');
  const wantsJson = request.nextUrl.pathname.startsWith('/api/') || Boolean(request.headers.get('next-action'));
  if (wantsJson) return Response.json({ error: reason }, { status, headers });
  headers.set('Content-Type', 'text/plain; charset=utf-8');
  return new Response(reason, { status, headers });
}

export const config = {
  // Every path but static files: a malformed address is refused wherever it points.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
