'use client';
import { buttonClass } from '@/components/ui/confirm-dialog';
import { PAGE_SIZES } from './overview-params';

/** Which slice of `total` rows a page shows, the page clamped to the ones that exist. */
export function pageSlice(total: number, page: number, size: number): { page: number; pages: number; start: number; end: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, page), pages);
  const start = (current - 1) * size;
  return { page: current, pages, start, end: Math.min(total, start + size) };
}

export function Pager({
  total,
  page,
  pages,
  start,
  end,
  size,
  onPage,
  onSize,
  selectClass,
}: {
  total: number;
  page: number;
  pages: number;
  start: number;
  end: number;
  size: number;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
  selectClass: string;
}) {
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center gap-2 text-sm">
      <span data-testid="page-range" className="text-zinc-600 dark:text-zinc-400">
        {total === 0 ? 'No agents' : `Agents ${start + 1}–${end} of ${total}`}
      </span>
      <button type="button" className={buttonClass.secondary} disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span aria-current="page">
        Page {page} of {pages}
      </span>
      <button type="button" className={buttonClass.secondary} disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
      <select aria-label="Agents per page" className={selectClass} value={size} onChange={(e) => onSize(Number(e.target.value))}>
        {PAGE_SIZES.map((s) => (
          <option key={s} value={s}>
            {s} per page
          </option>
        ))}
      </select>
    </nav>
  );
}
