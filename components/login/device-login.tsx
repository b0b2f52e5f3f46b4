'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { cancelLoginAction, restartAfterLoginAction, startLoginAction } from '@/app/agents/[cluster]/[namespace]/[name]/login-actions';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { AgentLoginSummary, LoginView } from '@/lib/login/login-view';
import type { LoginSnapshot } from '@/lib/login/login-state';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { RelativeTime } from '@/components/ui/relative-time';
import { Countdown, LoginCode } from './login-code';

const POLL_MS = 2_000;

const button = {
  primary:
    'rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-sky-600 dark:hover:bg-sky-500',
  secondary:
    'rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-100 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800',
};

/** What this browser tab follows, kept in sessionStorage so a reload picks it up. */
interface Tracked {
  loginId: string;
  podUid: string;
  /** This tab saw the login waiting: its success is ours to follow with the restart. */
  sawActive: boolean;
  /** Ended (succeeded, failed, cancelled): no longer followed, so a later pod restart is not blamed on it. */
  finished?: boolean;
  restartWanted: boolean;
  /** requested: the restart action is on its way; running: following the rollout. */
  restart: null | { state: 'requested' | 'running' | 'done' | 'failed'; message: string; loggedInAs: string | null };
}

function storageKey(a: AgentRef) {
  return `openab-login:${a.clusterId}/${a.namespace}/${a.name}`;
}

function loadTracked(a: AgentRef): Tracked | null {
  try {
    const raw = sessionStorage.getItem(storageKey(a));
    return raw ? (JSON.parse(raw) as Tracked) : null;
  } catch {
    return null;
  }
}

function saveTracked(a: AgentRef, t: Tracked | null) {
  try {
    if (t) sessionStorage.setItem(storageKey(a), JSON.stringify(t));
    else sessionStorage.removeItem(storageKey(a));
  } catch {
    /* private mode: following survives only until reload */
  }
}

const isActive = (s: LoginSnapshot | undefined) => s?.phase === 'starting' || s?.phase === 'waiting';
const isRealLogin = (l: AgentLoginSummary | null) => Boolean(l && l.kind !== 'not-logged-in' && l.kind !== 'unreadable');

export function DeviceLogin({
  agent,
  apiUrl,
  initial,
  initialError,
  currentLogin,
  userName,
}: {
  agent: AgentRef;
  /** The signed-in user's name, as the login records who started it. */
  userName: string;
  apiUrl: string;
  initial: LoginView | null;
  initialError: string | null;
  currentLogin: AgentLoginSummary | null;
}) {
  const router = useRouter();
  const [view, setView] = useState<LoginView | null>(initial);
  const [error, setError] = useState<string | null>(initialError);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState<'start' | 'cancel' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [tracked, setTrackedState] = useState<Tracked | null>(null);
  const [deadline, setDeadline] = useState<number | null>(null);
  const trackedRef = useRef<Tracked | null>(null);
  const restartAsked = useRef<string | null>(null);

  const setTracked = useCallback(
    (next: Tracked | null) => {
      trackedRef.current = next;
      setTrackedState(next);
      saveTracked(agent, next);
    },
    [agent],
  );

  const applyView = useCallback(
    (v: LoginView, receivedAt = Date.now()) => {
      setView(v);
      const s = v.login;
      if (s.secondsLeft !== null) {
        const next = receivedAt + s.secondsLeft * 1000;
        // Whole seconds from the pod: ignore sub-2 s wobble between polls.
        setDeadline((d) => (d === null || Math.abs(d - next) > 2_000 ? next : d));
      } else setDeadline(null);
      const t = trackedRef.current;
      if (t?.restart?.state === 'running' && v.rollout) {
        const done = v.rollout.done;
        setTracked({
          ...t,
          restart: {
            state: v.rollout.failed ? 'failed' : done ? 'done' : 'running',
            message: v.rollout.message,
            loggedInAs: done && v.agentLogin ? v.agentLogin.label : t.restart.loggedInAs,
          },
        });
        if (done) router.refresh();
        return;
      }
      if (isActive(s) && s.loginId) {
        const podUid = s.podUid ?? v.pod?.uid ?? '';
        if (!t || t.loginId !== s.loginId)
          setTracked({ loginId: s.loginId, podUid, sawActive: true, restartWanted: t?.restartWanted ?? true, restart: null });
        else if (!t.sawActive) setTracked({ ...t, sawActive: true });
      } else if (t && !t.finished && (s.loginId === t.loginId || s.phase === 'failed')) {
        setTracked({ ...t, finished: true });
      }
    },
    [router, setTracked],
  );

  const poll = useCallback(async () => {
    const t = trackedRef.current;
    const qs = new URLSearchParams();
    if (t?.restart?.state === 'running') qs.set('rollout', '1');
    else if (t && !t.finished) {
      qs.set('follow', t.loginId);
      qs.set('pod', t.podUid);
    }
    try {
      const res = await fetch(`${apiUrl}?${qs}`, { cache: 'no-store' });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        setError(body?.error ?? `The login state could not be read (HTTP ${res.status}).`);
        return;
      }
      setError(null);
      applyView(body as LoginView);
    } catch {
      setError('The dashboard could not be reached. Retrying…');
    }
  }, [apiUrl, applyView]);

  // On mount: pick up what this tab followed before a reload, and place the countdown.
  useEffect(() => {
    const saved = loadTracked(agent);
    if (saved?.restart && (saved.restart.state === 'done' || saved.restart.state === 'failed')) saveTracked(agent, null);
    else if (saved) {
      // A reload while the restart was being asked for: it was sent, follow the rollout.
      const resumed = saved.restart ? { ...saved, restart: { ...saved.restart, state: 'running' as const } } : saved;
      trackedRef.current = resumed;
      setTrackedState(resumed);
      saveTracked(agent, resumed);
    }
    if (initial) applyView(initial);
    if (trackedRef.current) void poll();
    // Mount only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const following = tracked?.restart?.state === 'running';
  // A cancelled login whose processes are still stopping is followed until they are gone.
  const active = isActive(view?.login) || following || view?.login.phase === 'cancelling';
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [active, poll]);

  const requestRestart = useCallback(
    (loginId: string, podUid: string, loggedInAs: string | null) => {
      const base =
        trackedRef.current?.loginId === loginId
          ? trackedRef.current
          : { loginId, podUid, sawActive: false, finished: true, restartWanted: true, restart: null };
      setTracked({ ...base, restart: { state: 'requested', message: 'Restarting the agent…', loggedInAs } });
      void restartAfterLoginAction({ ...agent, loginId })
        .then((res) => {
          const now = trackedRef.current;
          if (!now?.restart) return;
          if (!res.ok) {
            setTracked({ ...now, restart: { state: 'failed', message: res.message, loggedInAs: null } });
            return;
          }
          if (!res.data.claimed) setNote('The agent was already restarted after this login; following that restart.');
          setTracked({ ...now, restart: { ...now.restart, state: 'running' } });
          void poll();
        })
        .catch(() => {
          const now = trackedRef.current;
          if (now?.restart)
            setTracked({
              ...now,
              restart: {
                state: 'failed',
                message: 'the dashboard could not be reached. Reload to see whether the agent restarted.',
                loggedInAs: null,
              },
            });
        });
    },
    [agent, poll, setTracked],
  );

  // Success of a login this tab watched: refresh the page's login state, then the restart if
  // this user started the login and left the box ticked (their choice, not another watcher's).
  useEffect(() => {
    const s = view?.login;
    const t = tracked;
    if (!s || s.phase !== 'succeeded' || !t || t.loginId !== s.loginId || !t.sawActive || t.restart) return;
    if (restartAsked.current === s.loginId) return;
    restartAsked.current = s.loginId;
    router.refresh();
    if (!t.restartWanted || s.restart || s.startedBy?.name !== userName) return;
    requestRestart(s.loginId, t.podUid, view?.agentLogin?.label ?? null);
  }, [view, tracked, router, requestRestart, userName]);

  async function start(replaceLogin: boolean) {
    setBusy('start');
    setError(null);
    setNote(null);
    restartAsked.current = null;
    try {
      const res = await startLoginAction({ ...agent, replaceLogin });
      if (!res.ok) {
        // The page's idea of the login was stale: the server asks for the confirmation.
        if (res.code === 'already-logged-in' && !replaceLogin) setConfirming(true);
        else {
          setConfirming(false);
          setError(res.message);
        }
        return;
      }
      setConfirming(false);
      const t = trackedRef.current;
      if (t && (t.restart || t.loginId !== res.data.view.login.loginId)) setTracked(null);
      if (res.data.started && replaceLogin) router.refresh();
      if (!res.data.started) {
        const by = res.data.view.login.startedBy?.name;
        setNote(`A login${by ? ` started by ${by}` : ''} is already under way on this agent: here it is.`);
      }
      applyView(res.data.view);
    } catch {
      setConfirming(false);
      setError('The dashboard could not be reached. Check the connection and try again.');
    } finally {
      setBusy(null);
    }
  }

  async function cancel(loginId: string) {
    setBusy('cancel');
    setError(null);
    try {
      const res = await cancelLoginAction({ ...agent, loginId });
      if (!res.ok) setError(res.message);
      else applyView(res.data);
    } catch {
      setError('The dashboard could not be reached, so the login may still be running. Try again.');
    } finally {
      setBusy(null);
    }
  }

  const s = view?.login;
  const startButton = (label: string) => (
    <button
      type="button"
      data-testid="login-start"
      className={button.primary}
      disabled={busy !== null || !view?.pod}
      onClick={() => (isRealLogin(currentLogin) ? setConfirming(true) : void start(false))}
    >
      {busy === 'start' ? 'Starting…' : label}
    </button>
  );

  let body: React.ReactNode;
  if (tracked?.restart) {
    const r = tracked.restart;
    body = (
      <div data-testid="restart-progress" className="space-y-2" aria-live="polite">
        <p className="font-medium text-emerald-800 dark:text-emerald-300">Logged in.</p>
        <p role="status" data-testid="restart-state" className={r.state === 'failed' ? 'text-red-800 dark:text-red-300' : ''}>
          {(r.state === 'running' || r.state === 'requested') && (
            <span
              aria-hidden
              className="mr-2 inline-block h-3 w-3 animate-spin rounded-full border-2 border-sky-600 border-t-transparent align-middle"
            />
          )}
          {r.state === 'done'
            ? `The agent restarted${r.loggedInAs ? ` and is logged in as ${r.loggedInAs}` : ''}.`
            : r.state === 'failed'
              ? `The restart did not finish: ${r.message}`
              : r.message}
        </p>
        {(r.state === 'done' || r.state === 'failed') && (
          <button type="button" className={button.secondary} onClick={() => setTracked(null)}>
            Done
          </button>
        )}
      </div>
    );
  } else if (!view) {
    body = <p className="text-sm text-zinc-600 dark:text-zinc-400">The login state could not be read.</p>;
  } else if (s && isActive(s)) {
    body = (
      <div className="space-y-4">
        {s.linkRefused ? (
          <div
            role="alert"
            data-testid="login-link-refused"
            className="rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200"
          >
            <p className="font-medium">The sign-in link is not shown.</p>
            <p className="mt-1">{s.linkRefused}</p>
          </div>
        ) : s.phase === 'starting' || !s.userCode || !s.verificationUrl ? (
          <p role="status" data-testid="login-status">
            <span
              aria-hidden
              className="mr-2 inline-block h-3 w-3 animate-spin rounded-full border-2 border-sky-600 border-t-transparent align-middle"
            />
            Starting <code className="text-xs">codex login --device-auth</code> in pod {view.pod?.name}…
          </p>
        ) : (
          <>
            <ol className="space-y-4 text-sm">
              <li>
                <p className="mb-1 font-medium">1. Open this link and sign in to the ChatGPT account the agent should use:</p>
                <a
                  href={s.verificationUrl}
                  target="_blank"
                  rel="noopener noreferrer"
                  data-testid="login-link"
                  className="break-all text-base text-sky-700 underline hover:text-sky-900 dark:text-sky-400"
                >
                  {s.verificationUrl}
                </a>
              </li>
              <li>
                <p className="mb-2 font-medium">2. Enter this one-time code:</p>
                <LoginCode code={s.userCode} />
                <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
                  {s.secondsLeft !== null ? (
                    <Countdown secondsLeft={s.secondsLeft} deadline={deadline} />
                  ) : (
                    'Codex did not say when the code expires.'
                  )}
                </p>
              </li>
            </ol>
            <p role="status" data-testid="login-status" className="flex items-center gap-2 text-sm">
              <span aria-hidden className="inline-block h-3 w-3 animate-spin rounded-full border-2 border-sky-600 border-t-transparent" />
              Waiting for the code to be approved…
            </p>
          </>
        )}
        <div className="flex flex-wrap items-center gap-4">
          {!s.startedBy || s.startedBy.name === userName ? (
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={tracked?.loginId === s.loginId ? tracked.restartWanted : true}
                onChange={(e) => tracked && setTracked({ ...tracked, restartWanted: e.target.checked })}
                className="h-4 w-4"
              />
              Restart the agent after the login, so its sessions use it
            </label>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              {s.startedBy.name} started this login; the restart after it is their choice.
            </p>
          )}
          <button
            type="button"
            data-testid="login-cancel"
            className={button.secondary}
            disabled={busy !== null || !s.loginId}
            onClick={() => s.loginId && void cancel(s.loginId)}
          >
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel login'}
          </button>
        </div>
        {s.startedBy && (
          <p className="text-xs text-zinc-500">
            Started by {s.startedBy.name} <RelativeTime iso={s.startedAt} suffix=" ago" /> in pod {view.pod?.name}.
          </p>
        )}
      </div>
    );
  } else {
    body = (
      <div className="space-y-3">
        {s?.phase === 'failed' && s.failure && (
          <div
            role="alert"
            data-testid="login-failure"
            className="rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200"
          >
            <p className="font-medium">{s.failure.text}</p>
            {s.failure.message && <pre className="mt-1 whitespace-pre-wrap font-mono text-xs">Codex: {s.failure.message}</pre>}
          </div>
        )}
        {s?.phase === 'cancelling' && (
          <p role="status" data-testid="login-status" className="flex items-center gap-2 text-sm">
            <span aria-hidden className="inline-block h-3 w-3 animate-spin rounded-full border-2 border-sky-600 border-t-transparent" />
            Cancelling the login: its process in the pod is still stopping…
          </p>
        )}
        {s?.phase === 'cancelled' && (
          <p role="status" data-testid="login-status" className="text-sm">
            The login was cancelled
            {s.cancelledAt ? (
              <>
                {' '}
                <RelativeTime iso={s.cancelledAt} suffix=" ago" />
              </>
            ) : null}
            ; its process in the pod was stopped.
          </p>
        )}
        {s?.phase === 'succeeded' && (
          <>
            <p role="status" data-testid="login-status" className="text-sm text-emerald-800 dark:text-emerald-300">
              The last device login succeeded{s.startedBy ? ` (started by ${s.startedBy.name})` : ''}
              {view.agentLogin ? `: the agent is logged in as ${view.agentLogin.label}` : ''}.
            </p>
            {!s.restart && s.loginId && (
              <p className="flex flex-wrap items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
                The agent has not been restarted since, so sessions already running still use the old login.
                <button
                  type="button"
                  data-testid="login-restart-now"
                  className={button.secondary}
                  onClick={() => requestRestart(s.loginId!, s.podUid ?? view.pod?.uid ?? '', view.agentLogin?.label ?? null)}
                >
                  Restart the agent now
                </button>
              </p>
            )}
          </>
        )}
        {(!s || s.phase === 'none') && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Runs <code className="text-xs">codex login --device-auth</code> in the agent&apos;s pod and shows its one-time code here;
            approve it in ChatGPT.
          </p>
        )}
        {view.problem ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="login-disabled-reason">
            {startButton('Log in with a device code')} <span className="ml-2">{view.problem}</span>
          </p>
        ) : (
          startButton(s && s.phase !== 'none' ? 'Start a new login' : 'Log in with a device code')
        )}
      </div>
    );
  }

  return (
    <div data-testid="device-login" className="space-y-3">
      {note && <p className="rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:bg-sky-950 dark:text-sky-200">{note}</p>}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
      {body}
      <ConfirmDialog
        open={confirming}
        title="Replace the agent's login?"
        confirmLabel="Start a new login"
        busy={busy === 'start'}
        onConfirm={() => void start(true)}
        onCancel={() => setConfirming(false)}
      >
        <p>This agent is already logged in{currentLogin ? ` (${currentLogin.label})` : ''}.</p>
        <p>
          Starting a new login logs it out at once: Codex revokes the current login before it shows the new code. If the new code is not
          approved, the agent stays logged out.
        </p>
      </ConfirmDialog>
    </div>
  );
}
