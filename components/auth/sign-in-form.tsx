'use client';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import { safeCallbackPath } from '@/lib/auth/callback-url';

export function SignInForm({
  local,
  oidc,
  oidcName,
  callbackUrl,
}: {
  local: boolean;
  oidc: boolean;
  oidcName: string;
  callbackUrl?: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Resolved against this page's own origin as the browser will resolve it: nothing off-site.
  const returnTo = safeCallbackPath(callbackUrl, typeof window === 'undefined' ? 'http://localhost' : window.location.origin);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn('local', {
      username: String(form.get('username') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    });
    setPending(false);
    if (result?.ok && !result.error) {
      window.location.assign(returnTo);
    } else if (result?.error === 'LockedOut') {
      setError('Too many failed attempts for this user or from this address. Wait 15 minutes, or ask an admin.');
    } else if (result?.error === 'Busy') {
      setError('The dashboard is busy checking other sign-ins. Try again in a moment.');
    } else {
      setError('Wrong user name or password.');
    }
  }

  return (
    <div className="space-y-6">
      {oidc && (
        <button
          type="button"
          onClick={() => signIn('oidc', { callbackUrl: returnTo })}
          className="w-full rounded-md bg-sky-600 px-4 py-2 font-medium text-white hover:bg-sky-700"
        >
          Sign in with {oidcName}
        </button>
      )}
      {oidc && local && <div className="text-center text-xs uppercase tracking-wide text-zinc-500">or</div>}
      {local && (
        <form onSubmit={onSubmit} className="space-y-4" aria-describedby={error ? 'signin-error' : undefined}>
          <div>
            <label htmlFor="username" className="block text-sm font-medium">
              User name
            </label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              required
              className="mt-1 w-full rounded-md border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
            />
          </div>
          <div>
            <label htmlFor="password" className="block text-sm font-medium">
              Password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              className="mt-1 w-full rounded-md border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
            />
          </div>
          {error && (
            <p
              id="signin-error"
              role="alert"
              className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
            >
              {error}
            </p>
          )}
          <button
            type="submit"
            disabled={pending}
            className="w-full rounded-md bg-zinc-900 px-4 py-2 font-medium text-white hover:bg-zinc-700 disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
          >
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
    </div>
  );
}
