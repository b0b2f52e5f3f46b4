import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';
import { getSessionUser } from '@/lib/auth/guard';
import { ROLE_LABELS, roleAtLeast, type Role } from '@/lib/auth/roles';
import { SignOutButton } from '@/components/ui/sign-out-button';

export const metadata: Metadata = {
  title: 'OpenAB Codex dashboard',
  description: 'Codex agents of OpenAB on Kubernetes: login state, approval mode, images.',
};

/** The main navigation: each page, and the least role that may open it. */
const PAGES: Array<{ href: string; label: string; role: Role }> = [
  { href: '/', label: 'Fleet', role: 'viewer' },
  { href: '/images', label: 'Images', role: 'viewer' },
  { href: '/deliveries', label: 'Deliveries', role: 'support' },
  { href: '/audit', label: 'Audit', role: 'operator' },
  { href: '/admin/sessions', label: 'Sessions', role: 'admin' },
];

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2 dark:focus:bg-zinc-900"
        >
          Skip to content
        </a>
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
            <Link href="/" className="font-semibold tracking-tight">
              OpenAB <span className="text-sky-600 dark:text-sky-400">Codex</span> dashboard
            </Link>
            {user && (
              <nav aria-label="Main" className="flex gap-3 text-sm">
                {PAGES.filter((p) => roleAtLeast(user.role, p.role)).map((p) => (
                  <Link key={p.href} href={p.href} className="hover:underline">
                    {p.label}
                  </Link>
                ))}
              </nav>
            )}
            {user && (
              <div className="ml-auto flex items-center gap-2 text-sm">
                <span data-testid="current-user">
                  {user.name} <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{ROLE_LABELS[user.role]}</span>
                </span>
                <SignOutButton />
              </div>
            )}
          </div>
        </header>
        <main id="main" className="mx-auto max-w-7xl px-4 py-6">
          {children}
        </main>
      </body>
    </html>
  );
}
