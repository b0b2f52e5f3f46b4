'use client';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface TabDef {
  id: string;
  label: string;
  content: ReactNode;
}

/**
 * Tabs as the ARIA pattern has them: arrow keys, Home and End move between tabs (and select),
 * one tab in the tab order. The selected tab is in the URL (`?tab=`; `#id` works too), so a
 * view can be shared. Every panel stays in the page (hidden), so each keeps streaming in.
 */
export function Tabs({ label, tabs, initial }: { label: string; tabs: TabDef[]; initial: string }) {
  const [selected, setSelected] = useState(tabs.some((t) => t.id === initial) ? initial : tabs[0].id);
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const ids = tabs.map((t) => t.id);

  useEffect(() => {
    const fromHash = () => {
      const id = decodeURIComponent(window.location.hash.slice(1));
      if (ids.includes(id)) setSelected(id);
    };
    fromHash();
    window.addEventListener('hashchange', fromHash);
    return () => window.removeEventListener('hashchange', fromHash);
    // Once: the tab ids are fixed for the page's life (a new array each render, same ids).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const select = (id: string, focus: boolean) => {
    setSelected(id);
    const url = new URL(window.location.href);
    url.searchParams.set('tab', id);
    url.hash = '';
    // Next.js keeps its router in step with replaceState; no server round trip.
    window.history.replaceState(null, '', url);
    if (focus) buttons.current[ids.indexOf(id)]?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const at = ids.indexOf(selected);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(ids[(next + ids.length) % ids.length], true);
  };

  return (
    <div>
      <div role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        {tabs.map((t, i) => {
          const on = t.id === selected;
          return (
            <button
              key={t.id}
              ref={(el) => {
                buttons.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-controls={`tabpanel-${t.id}`}
              aria-selected={on}
              tabIndex={on ? 0 : -1}
              onClick={() => select(t.id, false)}
              onKeyDown={onKeyDown}
              className={`-mb-px shrink-0 whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
                on
                  ? 'border-sky-600 text-sky-800 dark:border-sky-400 dark:text-sky-300'
                  : 'border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100'
              }`}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      {tabs.map((t) => (
        <div
          key={t.id}
          role="tabpanel"
          id={`tabpanel-${t.id}`}
          aria-labelledby={`tab-${t.id}`}
          hidden={t.id !== selected}
          tabIndex={0}
          className="space-y-6 pt-4"
        >
          {t.content}
        </div>
      ))}
    </div>
  );
}
