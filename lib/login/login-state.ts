/**
 * What the read script printed, turned into the state the browser shows.
 * Pure: unit-tested from strings. The pod is not trusted to be well-formed
 * (the agent itself can write to /tmp), so every field is checked and capped.
 */
import { headWords, type Frame } from '../pod/frames';
import {
  checkVerificationUrl,
  CODEX_DEFAULT_ISSUER,
  DEVICE_LOGIN_FAILURE_TEXT,
  parseDeviceLoginOutput,
  type DeviceLoginFailureKind,
} from '../codex/device-login';

/** 'cancelling': cancelled, but some of its processes in the pod are still stopping. */
export type LoginPhase = 'none' | 'starting' | 'waiting' | 'succeeded' | 'failed' | 'cancelling' | 'cancelled';

/** Failures Codex reports, plus the ones only the dashboard can see. */
export type LoginFailureKind = DeviceLoginFailureKind | 'vanished' | 'pod-restarted' | 'files-gone';

export const LOGIN_FAILURE_TEXT: Readonly<Record<LoginFailureKind, string>> = {
  ...DEVICE_LOGIN_FAILURE_TEXT,
  vanished: 'The login process in the pod ended without a result (it was killed, or the container restarted). Start again.',
  'pod-restarted': 'The pod restarted during the login, which ended it. Start again.',
  'files-gone': "The login's files are gone from the pod (the container restarted, or /tmp was cleared). Start again.",
};

export interface LoginStarter {
  name: string;
  email: string | null;
  role: string;
}

export interface LoginSnapshot {
  phase: LoginPhase;
  loginId: string | null;
  /** Pod uid recorded when the login started. */
  podUid: string | null;
  startedAt: string | null;
  startedBy: LoginStarter | null;
  /** Only ever a link on the login server's origin (checkVerificationUrl). */
  verificationUrl: string | null;
  userCode: string | null;
  /** Why the link Codex printed (and its code) is not shown: it is not on the login server. */
  linkRefused: string | null;
  expiresInMinutes: number | null;
  /** When the code expires (pod clock), and how long is left from the pod's now. */
  expiresAt: string | null;
  secondsLeft: number | null;
  failure: { kind: LoginFailureKind; text: string; message: string | null } | null;
  cancelledAt: string | null;
  /** Success or failure already written to the audit record. */
  recorded: boolean;
  /** Set when a restart after this login was claimed: what the claim recorded. */
  restart: string | null;
}

export const NO_LOGIN: LoginSnapshot = {
  phase: 'none',
  loginId: null,
  podUid: null,
  startedAt: null,
  startedBy: null,
  verificationUrl: null,
  userCode: null,
  linkRefused: null,
  expiresInMinutes: null,
  expiresAt: null,
  secondsLeft: null,
  failure: null,
  cancelledAt: null,
  recorded: false,
  restart: null,
};

/** A launched login whose runner never wrote its pid within this long is dead. */
const LAUNCH_GRACE_SECONDS = 30;

const ID = /^[a-f0-9]{8,64}$/;
const UID = /^[A-Za-z0-9-]{1,64}$/;

function epoch(value: string | undefined): number | null {
  if (!value || !/^\d{1,12}$/.test(value)) return null;
  return Number(value);
}

function isoOf(seconds: number | null): string | null {
  return seconds === null ? null : new Date(seconds * 1000).toISOString();
}

function starterOf(text: string | undefined): LoginStarter | null {
  if (!text) return null;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const str = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);
    const name = str(raw.name, 200);
    if (!name) return null;
    return { name, email: str(raw.email, 200), role: str(raw.role, 20) ?? 'unknown' };
  } catch {
    return null;
  }
}

/**
 * An issuer says "expired" with 410 Gone (Codex prints only the status), and a code refused
 * after its time ran out expired too: say that rather than "refused".
 */
function refineFailure(kind: LoginFailureKind, message: string, pastExpiry: boolean): LoginFailureKind {
  if (kind !== 'denied-or-bad-request' && kind !== 'unknown') return kind;
  if (/status 410\b|\b410 Gone\b/i.test(message) || pastExpiry) return 'expired';
  return kind;
}

export interface ReadOutput {
  fields: Record<string, string>;
  out: string;
  err: string;
  none: boolean;
  complete: boolean;
}

/** What login-read answers, from its frames; frames it does not know are left out. */
export function splitReadOutput(frames: Frame[]): ReadOutput {
  const result: ReadOutput = { fields: {}, out: '', err: '', none: false, complete: false };
  for (const frame of frames) {
    const [key] = headWords(frame);
    const value = frame.head.slice(key.length + 1);
    if (key === 'none' || key === 'end') {
      result.none ||= key === 'none';
      result.complete = true;
    } else if (key === 'section' && (value === 'out' || value === 'err')) result[value] = frame.body.toString('utf8');
    else if (/^[a-z]+$/.test(key)) result.fields[key] = value;
  }
  return result;
}

/**
 * The login as the pod's files describe it. `issuer` is the login server the
 * agents use (CODEX_LOGIN_ISSUER): a link elsewhere is withheld with its code.
 */
export function interpretLogin(read: ReadOutput, issuer: string = CODEX_DEFAULT_ISSUER): LoginSnapshot {
  if (read.none) return { ...NO_LOGIN };
  const f = read.fields;
  const now = epoch(f.now) ?? Math.floor(Date.now() / 1000);
  const started = epoch(f.started);
  const exitCode = f.exit !== undefined && /^\d{1,3}$/.test(f.exit.trim()) ? Number(f.exit.trim()) : null;
  const progress = parseDeviceLoginOutput(read.out, read.err, exitCode);
  const cancelled = epoch(f.cancelled);
  const snapshot: LoginSnapshot = {
    ...NO_LOGIN,
    loginId: f.id && ID.test(f.id) ? f.id : null,
    podUid: f.pod && UID.test(f.pod) ? f.pod : null,
    startedAt: isoOf(started),
    startedBy: starterOf(f.by),
    verificationUrl: progress.verificationUrl ?? null,
    userCode: progress.userCode ?? null,
    expiresInMinutes: progress.expiresInMinutes ?? null,
    cancelledAt: isoOf(cancelled),
    recorded: f.recorded !== undefined,
    restart: f.restart !== undefined ? f.restart.slice(0, 300) : null,
  };
  if (snapshot.verificationUrl) {
    const link = checkVerificationUrl(snapshot.verificationUrl, issuer);
    if (!link.ok) {
      snapshot.verificationUrl = null;
      snapshot.userCode = null;
      snapshot.linkRefused = link.reason;
    }
  }
  if (started !== null && snapshot.expiresInMinutes !== null) {
    const expires = started + snapshot.expiresInMinutes * 60;
    snapshot.expiresAt = isoOf(expires);
    snapshot.secondsLeft = Math.max(0, expires - now);
  }

  if (cancelled !== null && progress.state !== 'succeeded') {
    // "Cancelled" is said only once no process of the login is left in the pod.
    const left = f.procs !== undefined && /^\d{1,6}$/.test(f.procs.trim()) ? Number(f.procs.trim()) : 0;
    snapshot.phase = left > 0 ? 'cancelling' : 'cancelled';
  } else if (progress.state === 'succeeded' || progress.state === 'failed') {
    snapshot.phase = progress.state;
    if (progress.failure) {
      const kind = refineFailure(
        progress.failure.kind,
        progress.failure.message,
        snapshot.expiresAt ? Date.parse(snapshot.expiresAt) / 1000 <= now : false,
      );
      snapshot.failure = { kind, text: LOGIN_FAILURE_TEXT[kind], message: progress.failure.message };
    }
  } else if (exitCode === null && f.alive !== '1' && (f.pid !== undefined || started === null || now - started >= LAUNCH_GRACE_SECONDS)) {
    snapshot.phase = 'failed';
    snapshot.failure = { kind: 'vanished', text: LOGIN_FAILURE_TEXT.vanished, message: null };
  } else {
    snapshot.phase = progress.state === 'waiting' ? 'waiting' : 'starting';
  }
  if (snapshot.phase !== 'waiting' && snapshot.phase !== 'starting') snapshot.secondsLeft = null;
  return snapshot;
}

/**
 * A follower (a browser that saw login `loginId` on pod `podUid`) asks again and the
 * pod no longer has that login: say why in plain words instead of "no login".
 */
export function explainLostLogin(
  followed: { loginId: string; podUid: string },
  current: { snapshot: LoginSnapshot; podUid: string | null },
): LoginSnapshot | null {
  // Still there, or replaced by a newer login, which the follower then sees.
  if (current.snapshot.phase !== 'none') return null;
  const kind: LoginFailureKind = current.podUid !== followed.podUid ? 'pod-restarted' : 'files-gone';
  return {
    ...NO_LOGIN,
    phase: 'failed',
    loginId: followed.loginId,
    podUid: followed.podUid,
    failure: { kind, text: LOGIN_FAILURE_TEXT[kind], message: null },
  };
}
