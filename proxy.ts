import { NextResponse, type NextRequest } from 'next/server';
import { getToken } from 'next-auth/jwt';

// A convenience redirect to sign-in, not a security boundary: every page, server action and
// route handler checks the session itself (lib/auth/guard.ts).
export async function proxy(request: NextRequest) {
  // A server action answers for itself (the guard returns "Sign in again"); a redirect would
  // hide that answer from the form that called it.
  if (request.headers.get('next-action')) return NextResponse.next();
  const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
  if (!token) {
    const url = new URL('/signin', request.url);
    url.searchParams.set('callbackUrl', request.nextUrl.pathname + request.nextUrl.search);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ['/((?!api/|signin|_next/|favicon.ico).*)'],
};
