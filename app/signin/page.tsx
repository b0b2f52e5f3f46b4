import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { getSessionUser } from '@/lib/auth/guard';
import { localSignInEnabled, oidcConfigured } from '@/lib/auth/options';
import { getSettings } from '@/lib/settings';
import { SignInForm } from '@/components/auth/sign-in-form';

export const dynamic = 'force-dynamic';

const ERRORS: Record<string, string> = {
  NoRole: 'You signed in, but no dashboard role is mapped to your account or groups. Ask an admin to add you.',
  OAuthCallback: 'The identity provider did not complete the sign-in. Try again.',
  SessionRequired: 'Your session has ended. Sign in again.',
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl: requested, error } = await searchParams;
  if (await getSessionUser()) redirect('/');
  const h = await headers();
  const origin = getSettings().auth.publicUrl ?? `http://${h.get('host') ?? 'localhost'}`;
  const callbackUrl = safeCallbackPath(typeof requested === 'string' ? requested : undefined, origin);
  const local = localSignInEnabled();
  const oidc = oidcConfigured();
  return (
    <div className="mx-auto mt-12 max-w-sm rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="mb-1 text-xl font-semibold">Sign in</h1>
      <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">to the OpenAB Codex dashboard</p>
      {error && (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {ERRORS[error] ?? 'The sign-in did not succeed. Try again.'}
        </p>
      )}
      {!local && !oidc ? (
        <p role="alert" className="text-sm">
          No sign-in method is configured. Set <code>OIDC_ISSUER</code>, <code>OIDC_CLIENT_ID</code> and <code>OIDC_CLIENT_SECRET</code>, or
          <code> LOCAL_USERS</code> / <code>DEMO_PASSWORD</code>, then restart the dashboard.
        </p>
      ) : (
        <SignInForm local={local} oidc={oidc} oidcName={getSettings().auth.oidc?.name ?? 'single sign-on'} callbackUrl={callbackUrl} />
      )}
    </div>
  );
}
