import Link from 'next/link';
import { roleAtLeast, ROLE_LABELS, type Role } from '@/lib/auth/roles';
import { agentKey, listGallery, type GalleryFilters } from '@/lib/images/gallery';
import type { AgentRef } from '@/lib/images/agent-pod';
import { GalleryView } from './gallery-view';
import type { ResendPermission } from './types';

export type SearchParams = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.slice(0, 300) || undefined;

export function resendPermission(role: Role): ResendPermission {
  return roleAtLeast(role, 'support')
    ? { allowed: true, reason: null }
    : { allowed: false, reason: `Sending images to Discord needs the Support role or higher; you are signed in as ${ROLE_LABELS[role]}.` };
}

/** Copies to a stable path write in the agent's home: the same role as other changes to its files. */
export function stableCopyPermission(role: Role): ResendPermission {
  return roleAtLeast(role, 'operator')
    ? { allowed: true, reason: null }
    : {
        allowed: false,
        reason: `Copying images to a stable path needs the Operator role or higher; you are signed in as ${ROLE_LABELS[role]}.`,
      };
}

/** Page numbers to offer: the first, the last, and two either side of the current; null is a gap. */
export function pageNumbers(current: number, pages: number): Array<number | null> {
  const shown = [...new Set([1, pages, ...[-2, -1, 0, 1, 2].map((d) => current + d)])]
    .filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  const out: Array<number | null> = [];
  shown.forEach((p, i) => {
    if (i > 0 && p - shown[i - 1] > 1) out.push(null);
    out.push(p);
  });
  return out;
}

/** Filters, one page of thumbnails, and paging: shared by the fleet and the per-agent gallery. */
export async function GalleryPageContent({
  basePath,
  agents,
  searchParams,
  role,
  fixedAgent,
}: {
  basePath: string;
  agents: Array<{ ref: AgentRef; error: string | null }>;
  searchParams: SearchParams;
  role: Role;
  fixedAgent?: AgentRef;
}) {
  const filters: GalleryFilters = {
    agent: fixedAgent ? agentKey(fixedAgent) : one(searchParams.agent),
    from: one(searchParams.from),
    to: one(searchParams.to),
    session: one(searchParams.session),
    q: one(searchParams.q),
  };
  const page = Number(one(searchParams.page) ?? 1);
  const date = one(searchParams.date);
  const image = one(searchParams.image);
  const result = await listGallery({
    agents,
    filters,
    page,
    focus: image,
    date: date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined,
  });
  const query = new URLSearchParams();
  if (!fixedAgent && filters.agent) query.set('agent', filters.agent);
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', filters.to);
  if (filters.session) query.set('session', filters.session);
  if (filters.q) query.set('q', filters.q);
  const link = (p: number) => {
    const q = new URLSearchParams(query);
    if (p > 1) q.set('page', String(p));
    const s = q.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  const input = 'mt-0.5 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950';
  return (
    <div className="space-y-4">
      <form
        method="get"
        action={basePath}
        className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
        aria-label="Filter images"
      >
        {!fixedAgent && (
          <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Agent
            <select name="agent" defaultValue={filters.agent ?? ''} className={`${input} block`}>
              <option value="">All agents</option>
              {result.agents.map((a) => (
                <option key={a.key} value={a.key}>
                  {a.ref.namespace}/{a.ref.name}
                  {a.error ? ' (unreadable)' : ` (${a.images})`}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          From
          <input type="date" name="from" defaultValue={filters.from} className={`${input} block`} />
        </label>
        <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          To
          <input type="date" name="to" defaultValue={filters.to} className={`${input} block`} />
        </label>
        <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Session
          <input
            name="session"
            list="gallery-sessions"
            defaultValue={filters.session}
            placeholder="any"
            className={`${input} block w-72 font-mono`}
          />
          <datalist id="gallery-sessions">
            {result.sessions.slice(0, 500).map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Search
          <input
            type="search"
            name="q"
            defaultValue={filters.q}
            placeholder="what was asked, who asked"
            className={`${input} block w-64`}
          />
        </label>
        <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white dark:bg-sky-600">
          Apply
        </button>
        <Link href={basePath} className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          Clear
        </Link>
      </form>
      {image && !result.focus && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          The linked image is not in this view: it may be gone, or filtered out.
        </p>
      )}
      {result.errors.length > 0 && (
        <ul
          role="alert"
          className="space-y-1 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          {result.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="gallery-total">
        {result.total} image{result.total === 1 ? '' : 's'}, newest first
        {result.pages > 1 ? ` · page ${result.page} of ${result.pages}` : ''}
      </p>
      <GalleryView
        key={`${result.page}-${result.focus ?? ''}`}
        items={result.items}
        permission={resendPermission(role)}
        showAgent={!fixedAgent}
        copyPermission={stableCopyPermission(role)}
        initialImage={result.focus}
      />
      {result.pages > 1 && (
        <nav aria-label="Pages" className="flex flex-wrap items-center gap-3 text-sm">
          {result.page > 1 ? (
            <Link href={link(result.page - 1)} className="text-sky-700 hover:underline dark:text-sky-400" rel="prev">
              ← Newer
            </Link>
          ) : (
            <span className="text-zinc-400">← Newer</span>
          )}
          <ol className="flex flex-wrap items-center gap-1">
            {pageNumbers(result.page, result.pages).map((p, i) =>
              p === null ? (
                <li key={`gap-${i}`} aria-hidden="true" className="px-1 text-zinc-400">
                  …
                </li>
              ) : (
                <li key={p}>
                  {p === result.page ? (
                    <span aria-current="page" className="rounded-md bg-sky-700 px-2 py-0.5 font-medium text-white dark:bg-sky-600">
                      {p}
                    </span>
                  ) : (
                    <Link
                      href={link(p)}
                      aria-label={`Page ${p}`}
                      className="rounded-md px-2 py-0.5 text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {p}
                    </Link>
                  )}
                </li>
              ),
            )}
          </ol>
          {result.page < result.pages ? (
            <Link
              href={link(result.page + 1)}
              className="text-sky-700 hover:underline dark:text-sky-400"
              rel="next"
              data-testid="next-page"
            >
              Older →
            </Link>
          ) : (
            <span className="text-zinc-400">Older →</span>
          )}
          <form method="get" action={basePath} className="flex items-end gap-2" aria-label="Jump to a date">
            {[...query].map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
            <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
              Jump to date
              <input type="date" name="date" defaultValue={date} className={`${input} block`} />
            </label>
            <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700">
              Go
            </button>
          </form>
        </nav>
      )}
    </div>
  );
}
