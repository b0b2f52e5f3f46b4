'use client';
import { useId, useState } from 'react';
import { copyImageToStablePathAction } from '@/app/agents/[cluster]/[namespace]/[name]/readiness-actions';
import type { ResendPermission } from './types';
import { DeniedAction } from '@/components/ui/action-feedback';

// Mirrors lib/readiness/stable-image.ts (checked again on the server).
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function nameProblem(name: string): string | null {
  if (!name) return null;
  if (/\.(png|jpe?g|webp|gif)$/i.test(name)) return 'Without an extension: the image keeps its own.';
  if (!NAME.test(name)) return 'Use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.';
  return null;
}

/**
 * Copies the image to `~/images/<name>.<ext>` in the agent's home, a path that does not change
 * (generated_images/ is keyed by session). An existing file is replaced only after a confirmation.
 */
export function StableCopyForm({
  item,
  permission,
}: {
  item: { cluster: string; namespace: string; name: string; image: string };
  permission: ResendPermission;
}) {
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [exists, setExists] = useState<{ sha: string; message: string } | null>(null);
  const id = useId();
  const problem = nameProblem(target.trim());

  if (!permission.allowed) {
    return <DeniedAction id={id} testId="stable-copy-disabled" label="Copy to a stable path" reason={permission.reason} />;
  }

  const copy = async (replaceSha: string | null) => {
    if (busy || problem || !target.trim()) return;
    setBusy(true);
    setError(null);
    setDone(null);
    const res = await copyImageToStablePathAction({
      clusterId: item.cluster,
      namespace: item.namespace,
      name: item.name,
      image: item.image,
      target: target.trim(),
      replaceSha,
    });
    setBusy(false);
    if (!res.ok) {
      setExists(null);
      setError(res.message);
    } else if (res.data.status === 'exists') {
      setExists({ sha: res.data.sha, message: res.data.message });
    } else {
      setExists(null);
      setDone(res.data.message);
    }
  };

  return (
    <form
      className="space-y-2"
      data-testid="stable-copy"
      onSubmit={(e) => {
        e.preventDefault();
        void copy(null);
      }}
    >
      <label htmlFor={`${id}-name`} className="block text-xs text-zinc-600 dark:text-zinc-400">
        Name in <code>~/images/</code> (the extension is kept)
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          id={`${id}-name`}
          value={target}
          onChange={(e) => {
            setTarget(e.target.value);
            setExists(null);
            setDone(null);
          }}
          maxLength={64}
          placeholder="team-logo"
          aria-invalid={Boolean(problem)}
          aria-describedby={problem ? `${id}-problem` : undefined}
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          data-testid="stable-copy-name"
        />
        <button
          type="submit"
          disabled={busy || Boolean(problem) || !target.trim()}
          className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm disabled:opacity-50 dark:border-zinc-700"
          aria-busy={busy}
        >
          {busy && !exists ? 'Copying…' : 'Copy'}
        </button>
      </div>
      {problem && (
        <p id={`${id}-problem`} className="text-xs text-red-800 dark:text-red-300">
          {problem}
        </p>
      )}
      {exists && (
        <div
          role="alertdialog"
          aria-labelledby={`${id}-exists`}
          className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
          data-testid="stable-copy-exists"
        >
          <p id={`${id}-exists`}>{exists.message}</p>
          <div className="mt-2 flex gap-2">
            <button
              type="button"
              className="rounded-md bg-red-700 px-3 py-1 text-sm text-white disabled:opacity-50"
              disabled={busy}
              onClick={() => void copy(exists.sha)}
            >
              Replace it
            </button>
            <button
              type="button"
              className="rounded-md border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700"
              onClick={() => setExists(null)}
            >
              Keep it
            </button>
          </div>
        </div>
      )}
      {done && (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300" data-testid="stable-copy-done">
          {done}
        </p>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
