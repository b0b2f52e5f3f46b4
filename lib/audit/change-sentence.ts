// What an audit entry changed, in one plain sentence for people (the history, the audit page and
// the exports' "change" column); the recorded before/after stay as they are for machines.
import { describeApprovalMode } from '../codex/approval-modes';

export interface RecordedChange {
  action: string;
  result: string;
  before?: unknown;
  after?: unknown;
}

const MAX = 300;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : null);

/** An approval mode in the words the form uses; a value the dashboard does not know is shown as it is. */
function modeName(v: unknown): string | null {
  const mode = str(v);
  if (!mode) return null;
  return ['manual', 'auto-review', 'full-access', 'custom', 'default'].includes(mode)
    ? describeApprovalMode(mode as Parameters<typeof describeApprovalMode>[0])
    : mode;
}

/** A value as short words: scalars as they are, lists joined, objects as `key: value` pairs, nested ones flattened. */
function words(v: unknown, depth = 0): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v || '—';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length ? v.map((x) => words(x, depth + 1)).join(', ') : 'none';
  if (isObject(v)) {
    if (depth > 2) return '…';
    const pairs = Object.entries(v).map(([k, x]) => `${k}: ${words(x, depth + 1)}`);
    return pairs.length ? pairs.join(', ') : 'nothing';
  }
  return '—';
}

const clip = (s: string) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);

/** For an action the dashboard does not describe: before and after as a short key: value list. */
function fallback(c: RecordedChange): string {
  const parts: string[] = [];
  if (c.before !== undefined) parts.push(`before: ${words(c.before)}`);
  if (c.after !== undefined) parts.push(`after: ${words(c.after)}`);
  return parts.join('; ');
}

/** One feature switch recorded as `{ name: enabled }`. */
function featureSentence(c: RecordedChange): string | null {
  const after = isObject(c.after) ? Object.entries(c.after) : [];
  const before = isObject(c.before) ? c.before : {};
  if (after.length !== 1 || typeof after[0][1] !== 'boolean') return null;
  const [name, on] = after[0];
  const verb = c.result === 'failure' ? `Tried to turn ${on ? 'on' : 'off'}` : `Turned ${on ? 'on' : 'off'}`;
  const was = typeof before[name] === 'boolean' ? ` (it was ${before[name] ? 'on' : 'off'})` : '';
  return `${verb} the feature ${name}${was}.`;
}

function approvalSentence(c: RecordedChange): string | null {
  const to = modeName(c.after);
  if (!to) return null;
  const from = modeName(c.before);
  const tried = c.result === 'failure' ? 'Tried to change' : 'Changed';
  if (from === to) return `${c.result === 'failure' ? 'Tried to repair' : 'Repaired'} the approval setting (${to}).`;
  return from ? `${tried} approval mode from ${from} to ${to}.` : `${tried} approval mode to ${to}.`;
}

function restartSentence(c: RecordedChange): string {
  if (c.result === 'failure') return 'Tried to restart the Deployment; the restart failed.';
  if (c.result === 'started') return 'Restarted the Deployment (its rollout started).';
  return 'Restarted the Deployment; the new pod is ready.';
}

function resendSentence(c: RecordedChange): string {
  const after = isObject(c.after) ? c.after : {};
  const image = str(after.image);
  const target = str(after.target);
  const what = image ? `image ${image}` : 'an image';
  const where = target ? ` to ${target}` : '';
  return c.result === 'failure' ? `Tried to re-send ${what}${where}; nothing was sent.` : `Re-sent ${what}${where}.`;
}

const SENTENCES: Record<string, (c: RecordedChange) => string | null> = {
  'approval-mode': approvalSentence,
  feature: featureSentence,
  restart: restartSentence,
  resend: resendSentence,
  'login-start': () => 'Started a device-code login.',
  'login-cancel': () => 'Cancelled a device-code login.',
  login: (c) => (c.result === 'failure' ? 'A device-code login failed.' : 'Logged Codex in with a device code.'),
  'install-delivery-skill': (c) => {
    const was = str(c.before);
    const verb = c.result === 'failure' ? 'Tried to install' : 'Installed';
    return `${verb} the image delivery skill${was ? ` (it was ${was})` : ''}.`;
  },
  'copy-image-stable': (c) => {
    const image = str(c.before);
    const path = str(c.after);
    return image && path ? `Copied image ${image} to ${path}.` : null;
  },
  'end-sessions': (c) => {
    const who = str(c.after);
    return who ? `Ended every session of ${who}.` : 'Ended every session of a user.';
  },
};

/**
 * The change an entry records, as one sentence for the actions the dashboard knows; any other
 * action (or a known one recorded in an unexpected shape) as a short `before: …; after: …` list.
 * Never JSON. Empty when the entry records no change.
 */
export function changeSentence(c: RecordedChange): string {
  const known = SENTENCES[c.action]?.(c);
  return clip(known ?? fallback(c));
}
