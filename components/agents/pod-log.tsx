'use client';
import { useCallback, useEffect, useRef, useState } from 'react';

/** The agent container's log: last lines, live follow (server-sent events), previous container. */
export function PodLog({ logUrl, pods, canPrevious }: { logUrl: string; pods: string[]; canPrevious: boolean }) {
  const [pod, setPod] = useState(pods[0] ?? '');
  const [previous, setPrevious] = useState(false);
  const [follow, setFollow] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const pre = useRef<HTMLPreElement>(null);

  const load = useCallback(async () => {
    if (!pod) return;
    setLoading(true);
    setError(null);
    try {
      const qs = new URLSearchParams({ pod, tail: '300', previous: previous ? '1' : '0' });
      const res = await fetch(`${logUrl}?${qs}`, { cache: 'no-store' });
      const body = await res.text();
      if (!res.ok) {
        setText('');
        setError(safeError(body, res.status));
      } else setText(body);
    } finally {
      setLoading(false);
    }
  }, [logUrl, pod, previous]);

  useEffect(() => {
    if (!follow) {
      void load();
      return;
    }
    setText('');
    setError(null);
    const qs = new URLSearchParams({ pod, tail: '100', follow: '1' });
    const source = new EventSource(`${logUrl}?${qs}`);
    source.onmessage = (e) => setText((t) => (t + JSON.parse(e.data)).slice(-200_000));
    source.addEventListener('problem', (e) => setError(JSON.parse((e as MessageEvent).data)));
    source.onerror = () => {
      setError('The live log connection closed. Turn "Follow" off and on to reconnect.');
      source.close();
    };
    return () => source.close();
  }, [follow, load, logUrl, pod]);

  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);

  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
        {pods.length > 1 && (
          <select
            aria-label="Pod"
            value={pod}
            onChange={(e) => setPod(e.target.value)}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          >
            {pods.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        )}
        <label className="flex items-center gap-1">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => {
              setFollow(e.target.checked);
              if (e.target.checked) setPrevious(false);
            }}
          />{' '}
          Follow live
        </label>
        <label
          className="flex items-center gap-1"
          title={canPrevious ? undefined : 'The container has not restarted: there is no previous log.'}
        >
          <input type="checkbox" checked={previous} disabled={!canPrevious || follow} onChange={(e) => setPrevious(e.target.checked)} />{' '}
          Previous container
        </label>
        {!follow && (
          <button
            type="button"
            onClick={() => void load()}
            className="rounded-md border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            {loading ? 'Loading…' : 'Reload'}
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <pre
        ref={pre}
        data-testid="pod-log"
        tabIndex={0}
        aria-label="Container log"
        className="max-h-96 overflow-auto rounded-md bg-zinc-950 p-3 font-mono text-xs leading-relaxed text-zinc-100"
      >
        {text || (loading ? 'Loading…' : 'No log lines.')}
      </pre>
    </div>
  );
}

function safeError(body: string, status: number): string {
  try {
    return JSON.parse(body).error ?? `HTTP ${status}`;
  } catch {
    return `HTTP ${status}`;
  }
}
