// The pages a role may be refused, and what the overview tells someone sent back from one:
// the guard's redirect names the page (`/?refused=audit`), the overview says which role it needs.
import { z } from 'zod';
import { ROLE_LABELS, type Role } from './roles';

export const GUARDED_PAGES = {
  deliveries: { path: '/deliveries', title: 'Deliveries', role: 'support' },
  audit: { path: '/audit', title: 'Audit', role: 'operator' },
  sessions: { path: '/admin/sessions', title: 'Sessions', role: 'admin' },
} as const satisfies Record<string, { path: string; title: string; role: Role }>;

export type GuardedPage = keyof typeof GUARDED_PAGES;

const guardedPage = z.enum(Object.keys(GUARDED_PAGES) as [GuardedPage, ...GuardedPage[]]);

/** Where the guard sends someone whose role is too low for `returnTo`: the overview, naming the page when it is one of ours. */
export function refusedRedirect(returnTo: string): string {
  const path = returnTo.split(/[?#]/)[0];
  const page = (Object.keys(GUARDED_PAGES) as GuardedPage[]).find((k) => GUARDED_PAGES[k].path === path);
  return page ? `/?refused=${page}` : '/';
}

/** The notice for `?refused=…`, or null for anything that is not one of the guarded pages (a link may carry anything). */
export function refusedNotice(param: unknown, role: Role): string | null {
  const parsed = guardedPage.safeParse(Array.isArray(param) ? param[0] : param);
  if (!parsed.success) return null;
  const page = GUARDED_PAGES[parsed.data];
  return `${page.title} needs the ${ROLE_LABELS[page.role]} role; you are signed in as ${ROLE_LABELS[role]}.`;
}
