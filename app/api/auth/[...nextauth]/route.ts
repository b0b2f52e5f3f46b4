import NextAuth from 'next-auth';
import { authBodyProblem } from '@/lib/auth/auth-body';
import { authOptions } from '@/lib/auth/options';

// next-auth's own endpoints (sign-in, callback, session, sign-out); they guard themselves.
const handler = NextAuth(authOptions) as (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

export async function GET(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return handler(request, context);
}

/** A malformed body gets a 4xx with the reason (next-auth would answer 500). */
export async function POST(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  const problem = await authBodyProblem(request.clone());
  if (problem) return Response.json({ error: problem.message }, { status: problem.status });
  return handler(request, context);
}
