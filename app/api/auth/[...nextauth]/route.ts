import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';

// next-auth's own endpoints (sign-in, callback, session, sign-out); they guard themselves.
const handler = NextAuth(authOptions);
export { handler as GET, handler as POST };
