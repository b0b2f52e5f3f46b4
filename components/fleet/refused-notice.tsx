'use client';
import { useState } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';

/** Why the guard sent someone back to the overview; dismissing it also drops `refused` from the URL, so a reload does not bring it back. */
export function RefusedNotice({ text }: { text: string }) {
  const [shown, setShown] = useState(true);
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  if (!shown) return null;
  const dismiss = () => {
    setShown(false);
    const rest = new URLSearchParams(params.toString());
    rest.delete('refused');
    router.replace(rest.size ? `${pathname}?${rest}` : pathname, { scroll: false });
  };
  return (
    <div
      role="status"
      className="mb-4 flex items-start gap-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
    >
      <p className="min-w-0 flex-1 break-words">{text}</p>
      <button
        type="button"
        onClick={dismiss}
        className="shrink-0 rounded px-2 text-amber-900 hover:bg-amber-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-amber-200 dark:hover:bg-amber-900"
      >
        Dismiss
      </button>
    </div>
  );
}
