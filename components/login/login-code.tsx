'use client';
import { useEffect, useRef, useState } from 'react';

/** The one-time code in large type, with a copy button that says when it worked. */
export function LoginCode({ code }: { code: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const ref = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied('yes');
    } catch {
      // No clipboard permission: select the code so Ctrl+C works.
      const range = document.createRange();
      if (ref.current) {
        range.selectNodeContents(ref.current);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied('failed');
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-3">
      <code
        ref={ref}
        data-testid="login-code"
        aria-label="One-time code"
        className="select-all rounded-md bg-zinc-100 px-3 py-2 font-mono text-3xl font-semibold tracking-widest text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50 sm:text-4xl"
      >
        {code}
      </code>
      <button
        type="button"
        onClick={copy}
        className="rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
      >
        Copy code
      </button>
      <span role="status" aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
        {copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </span>
    </div>
  );
}

function mmss(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Time left until the code expires. `deadline` is on this browser's clock (the parent
 * derives it from the seconds the pod's clock said were left), so a skewed browser clock
 * does not matter. Until mounted it shows `secondsLeft`, as the server rendered it.
 */
export function Countdown({ secondsLeft, deadline }: { secondsLeft: number; deadline: number | null }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = now === null || deadline === null ? secondsLeft : (deadline - now) / 1000;
  return (
    <span data-testid="login-countdown" className={left < 120 ? 'font-medium text-amber-700 dark:text-amber-400' : ''}>
      {left <= 0 ? 'The code has expired.' : `Expires in ${mmss(left)}`}
    </span>
  );
}
