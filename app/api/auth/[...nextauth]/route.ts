import NextAuth from 'next-auth';
import { authBodyProblem } from '@/lib/auth/auth-body';
import { authOptions, LOCKED_OUT, signInAddressLocked } from '@/lib/auth/options';
import { getSettings } from '@/lib/settings';

type Context = { params: Promise<{ nextauth: string[] }> };

const LOCKED_OUT_DELAY_MS = 1_000;

// next-auth's own endpoints (sign-in, callback, session, sign-out); they guard themselves.
const handler = NextAuth(authOptions) as (request: Request, context: Context) => Promise<Response>;

export async function GET(request: Request, context: Context) {
  return handler(request, context);
}

/**
 * A malformed body gets a 4xx with the reason (next-auth would answer 500 or a redirect), and a
 * locked-out address is turned away before next-auth does any work, in the shape of next-auth's
 * answer to a refused sign-in (its client reads the error from `url`).
 */
export async function POST(request: Request, context: Context) {
  const problem = await authBodyProblem(request.clone());
  if (problem) return Response.json({ error: problem.message }, { status: problem.status });
  const [action, provider] = (await context.params).nextauth ?? [];
  if (action === 'callback' && provider === 'local' && signInAddressLocked(request.headers)) {
    // Answered late, at no cost: a script that waits for each answer tries once a second, not
    // as fast as the server can refuse.
    await new Promise((resolve) => setTimeout(resolve, LOCKED_OUT_DELAY_MS));
    const url = new URL(`/signin?error=${LOCKED_OUT}`, getSettings().auth.publicUrl ?? request.url).toString();
    return Response.json({ url, error: 'Too many failed sign-ins from this address. Wait 15 minutes.' }, { status: 429 });
  }
  return handler(request, context);
}
