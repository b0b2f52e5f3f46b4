'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { STABLE_IMAGES_DIR } from '@/lib/skills/delivery-skill';
import { RelativeTime } from '@/components/ui/relative-time';
import { ResendForm } from './resend-form';
import { StableCopyForm } from './stable-copy-form';
import type { GalleryItem, ResendPermission } from './types';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** Thumbnails newest first; a click opens the full image with its details (arrows move, Escape closes). */
export function GalleryView({
  items,
  permission,
  showAgent,
  copyPermission,
  initialImage,
}: {
  items: GalleryItem[];
  permission: ResendPermission;
  showAgent: boolean;
  copyPermission?: ResendPermission;
  initialImage?: string | null;
}) {
  const [open, setOpen] = useState<number | null>(() => {
    const i = initialImage ? items.findIndex((item) => item.id === initialImage) : -1;
    return i >= 0 ? i : null;
  });
  const opener = useRef<HTMLButtonElement | null>(null);
  const close = useCallback(() => {
    setOpen(null);
    opener.current?.focus();
  }, []);

  // The open image is in the address (`?image=`), so a reload or a copied link opens it again.
  useEffect(() => {
    const url = new URL(window.location.href);
    const id = open !== null ? items[open]?.id : undefined;
    if (id) url.searchParams.set('image', id);
    else url.searchParams.delete('image');
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
  }, [open, items]);

  if (items.length === 0)
    return (
      <p className="text-sm text-zinc-500" data-testid="gallery-empty">
        No images match.
      </p>
    );

  return (
    <>
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-6" data-testid="gallery-grid">
        {items.map((item, i) => (
          <li key={item.id}>
            <button
              type="button"
              className="group block w-full overflow-hidden rounded-md border border-zinc-200 bg-zinc-100 text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:border-zinc-800 dark:bg-zinc-900"
              onClick={(e) => {
                opener.current = e.currentTarget;
                setOpen(i);
              }}
              aria-label={`Open ${item.file}${showAgent ? ` from ${item.agent.name}` : ''}`}
              data-testid="gallery-thumb"
              data-image={item.name}
            >
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img
                src={item.thumbUrl}
                alt={`Generated image ${item.file}`}
                loading="lazy"
                decoding="async"
                width={320}
                height={320}
                className="aspect-square w-full object-cover transition group-hover:opacity-90"
              />
              <span className="block truncate px-2 py-1 text-xs text-zinc-600 dark:text-zinc-400">
                {showAgent ? `${item.agent.name} · ` : ''}
                {new Date(item.created).toISOString().slice(0, 16).replace('T', ' ')}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {open !== null && (
        <Lightbox items={items} index={open} onIndex={setOpen} onClose={close} permission={permission} copyPermission={copyPermission} />
      )}
    </>
  );
}

function Lightbox({
  items,
  index,
  onIndex,
  onClose,
  permission,
  copyPermission,
}: {
  items: GalleryItem[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  permission: ResendPermission;
  copyPermission?: ResendPermission;
}) {
  const item = items[index];
  const dialog = useRef<HTMLDivElement>(null);
  const prev = useCallback(() => onIndex((index - 1 + items.length) % items.length), [index, items.length, onIndex]);
  const next = useCallback(() => onIndex((index + 1) % items.length), [index, items.length, onIndex]);

  useEffect(() => {
    dialog.current?.focus();
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'ArrowRight' && !typing) {
      e.preventDefault();
      next();
    } else if (e.key === 'ArrowLeft' && !typing) {
      e.preventDefault();
      prev();
    } else if (e.key === 'Tab') {
      // Keep focus inside the dialog.
      const focusable = [
        ...(dialog.current?.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, [tabindex="0"]') ?? []),
      ];
      if (focusable.length === 0) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === dialog.current)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  const details: Array<[string, React.ReactNode]> = [
    ['Agent', `${item.agent.namespace}/${item.agent.name}`],
    [
      'File',
      <code key="f" className="text-xs">
        {item.file}
      </code>,
    ],
    ['Kept in', item.source === 'stable' ? `~/${STABLE_IMAGES_DIR}/ (stable copy)` : 'generated_images/'],
    ['Size', formatBytes(item.size)],
    ['Dimensions', item.width && item.height ? `${item.width} × ${item.height}` : '—'],
    ['Created', <RelativeTime key="c" iso={new Date(item.created).toISOString()} suffix=" ago" />],
    [
      'Session',
      <code key="s" className="break-all text-xs">
        {item.session}
      </code>,
    ],
    [
      'Discord thread',
      item.discordThreadId ? (
        <code key="t" className="text-xs">
          {item.discordThreadId}
        </code>
      ) : (
        '—'
      ),
    ],
    [
      'Discord channel',
      item.discordChannelId ? (
        <code key="c" className="text-xs">
          {item.discordChannelId}
        </code>
      ) : (
        '—'
      ),
    ],
    ['Asked by', item.askedBy ?? '—'],
  ];

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/80 p-2 sm:p-6"
      onClick={(e) => e.target === e.currentTarget && onClose()}
    >
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby="lightbox-title"
        tabIndex={-1}
        onKeyDown={onKeyDown}
        className="flex max-h-full w-full max-w-6xl flex-col overflow-auto rounded-lg bg-white shadow-xl outline-none dark:bg-zinc-900 lg:flex-row"
        data-testid="lightbox"
        data-image={item.name}
      >
        <div className="flex min-h-64 flex-1 items-center justify-center bg-zinc-950">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            key={item.id}
            src={item.fullUrl}
            alt={`Full size ${item.file}`}
            className="max-h-[80vh] w-auto max-w-full object-contain"
            data-testid="lightbox-image"
          />
        </div>
        <div className="w-full space-y-3 p-4 lg:w-80">
          <div className="flex items-center justify-between gap-2">
            <h2 id="lightbox-title" className="truncate text-base font-semibold">
              {item.file}
            </h2>
            <span className="text-xs text-zinc-500">
              {index + 1} / {items.length}
            </span>
          </div>
          <section aria-label="What was asked" className="space-y-1 text-sm">
            <h3 className="text-xs font-medium uppercase tracking-wide text-zinc-500">What was asked</h3>
            <p className="whitespace-pre-wrap break-words" data-testid="image-request">
              {item.request ?? 'The session holds no request for this image.'}
            </p>
            {item.revisedPrompt && (
              <>
                <h3 className="text-xs font-medium uppercase tracking-wide text-zinc-500">Revised prompt (Codex)</h3>
                <p className="whitespace-pre-wrap break-words text-zinc-700 dark:text-zinc-300" data-testid="image-revised-prompt">
                  {item.revisedPrompt}
                </p>
              </>
            )}
            <p className="flex flex-wrap gap-3">
              <a href={item.conversationUrl} className="text-sky-700 hover:underline dark:text-sky-400">
                View conversation
              </a>
              <a href={`/images?image=${encodeURIComponent(item.id)}`} className="text-sky-700 hover:underline dark:text-sky-400">
                Link to this image
              </a>
            </p>
          </section>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            {details.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-zinc-500">{k}</dt>
                <dd className="min-w-0 break-words">{v}</dd>
              </div>
            ))}
          </dl>
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              onClick={prev}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700"
              aria-label="Previous image"
            >
              ← Prev
            </button>
            <button
              type="button"
              onClick={next}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700"
              aria-label="Next image"
            >
              Next →
            </button>
            <a
              href={item.downloadUrl}
              download={item.file}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700"
              data-testid="download"
            >
              Download
            </a>
            <button type="button" onClick={onClose} className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
              Close
            </button>
          </div>
          <div className="border-t border-zinc-200 pt-3 dark:border-zinc-800">
            <h3 className="mb-2 text-sm font-medium">Send to Discord</h3>
            <ResendForm
              key={item.id}
              item={{
                cluster: item.agent.clusterId,
                namespace: item.agent.namespace,
                name: item.agent.name,
                image: item.name,
                defaultTarget: item.discordTarget,
              }}
              permission={permission}
            />
          </div>
          {copyPermission && (
            <div className="border-t border-zinc-200 pt-3 dark:border-zinc-800">
              <h3 className="mb-2 text-sm font-medium">Copy to a stable path</h3>
              <StableCopyForm
                key={item.id}
                item={{ cluster: item.agent.clusterId, namespace: item.agent.namespace, name: item.agent.name, image: item.name }}
                permission={copyPermission}
              />
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
