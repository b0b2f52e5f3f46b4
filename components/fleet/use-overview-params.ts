'use client';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'next/navigation';
import { overviewSearch, parseOverviewParams, type OverviewParams } from './overview-params';

/**
 * The overview's view, read from the URL and written back to it. Next.js keeps its router in
 * step with the browser's own history calls, so a change costs no server round trip (the fleet
 * is filtered here), and back/forward and reload show the same view.
 */
export function useOverviewParams(): [OverviewParams, (patch: Partial<OverviewParams>, how?: 'push' | 'replace') => void] {
  const search = useSearchParams();
  const params = useMemo(() => parseOverviewParams(search), [search]);
  const update = useCallback((patch: Partial<OverviewParams>, how: 'push' | 'replace' = 'push') => {
    // Any change but paging itself starts again at the first page.
    const next = { ...parseOverviewParams(new URLSearchParams(window.location.search)), page: 1, ...patch };
    const query = overviewSearch(next);
    const url = `${window.location.pathname}${query ? `?${query}` : ''}`;
    if (how === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }, []);
  return [params, update];
}
