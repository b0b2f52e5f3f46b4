/**
 * Codex's config.toml: reading the approval keys and features, and switching
 * the approval mode by a surgical text edit.
 *
 * The file may hold secrets (e.g. MCP servers' env), so nothing here returns
 * other keys, and parse errors carry a position, never the file's content.
 */
import { parse, TomlError } from 'smol-toml';
import { applyEdits, overlapping, scanStatements, type Edit, type Header, type KeyValue, type Statement } from './toml-scanner';
import {
  approvalModeKeys,
  isApprovalMode,
  isAutoReviewer,
  type ApprovalMode,
  type AutoReviewer,
  type GuideMistake,
} from './approval-modes';

/** Every top-level key a mode switch may write or remove. */
export const APPROVAL_KEYS = ['approval_policy', 'approvals_reviewer', 'sandbox_mode'] as const;

export type ApprovalSettings =
  | {
      ok: true;
      /**
       * 'custom': anything that is not one of the three modes (granular
       * table, on-failure, never without full-access sandbox, a policy Codex
       * refuses, ...): show as is, never rewrite
       * silently. 'default': none of the keys is set, so Codex's built-in
       * defaults apply (our reference does not state them; we do not guess).
       */
      mode: ApprovalMode | 'custom' | 'default';
      /** Set when the file follows OpenAB's guide in a way Codex ignores or refuses. */
      guideMistake?: GuideMistake;
      approvalPolicy: unknown;
      approvalsReviewer?: string;
      sandboxMode?: string;
      /** `[features]` entries with a boolean value. */
      features: Record<string, boolean>;
    }
  | { ok: false; error: string };

type ParseResult = { ok: true; doc: Record<string, unknown> } | { ok: false; error: string };

function parseConfig(text: string): ParseResult {
  try {
    return { ok: true, doc: parse(text) as Record<string, unknown> };
  } catch (e) {
    if (e instanceof TomlError) {
      // The message's first line is the reason; the rest is a code block
      // quoting the file, which must not travel.
      const reason = String(e.message)
        .split('\n')[0]
        .replace(/^Invalid TOML document:\s*/, '')
        .slice(0, 200);
      return { ok: false, error: `config.toml does not parse: line ${e.line}, column ${e.column}: ${reason}` };
    }
    return { ok: false, error: 'config.toml does not parse' };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function classify(doc: Record<string, unknown>): ApprovalMode | 'custom' | 'default' {
  const policy = doc.approval_policy;
  const reviewer = doc.approvals_reviewer;
  const sandbox = doc.sandbox_mode;
  if (policy === undefined && reviewer === undefined && sandbox === undefined) return 'default';
  // Full access is about what the agent may do unasked, so a reviewer left
  // beside "never" changes nothing and does not make it custom.
  if (policy === 'never' && sandbox === 'danger-full-access') return 'full-access';
  if (policy === 'on-request' && sandbox !== 'danger-full-access') {
    // Unset, Codex's reviewer is the user.
    if (reviewer === 'user' || reviewer === undefined) return 'manual';
    if (isAutoReviewer(reviewer)) return 'auto-review';
  }
  return 'custom';
}

/** The mode a value from the guide's table names (its spellings and Codex's own). */
function modeNamed(value: unknown): ApprovalMode | null {
  if (typeof value !== 'string') return null;
  const name = value.trim().toLowerCase().replace(/_/g, '-');
  if (['auto-review', 'autoreview', 'guardian-subagent', 'guardian'].includes(name)) return 'auto-review';
  if (['full-access', 'never', 'danger-full-access', 'yolo'].includes(name)) return 'full-access';
  if (['manual', 'on-request', 'user'].includes(name)) return 'manual';
  return null;
}

/** The approval_policy strings Codex accepts (codex.md); any other string stops Codex. */
const CODEX_POLICIES = ['on-request', 'never', 'on-failure'];

function guideMistake(doc: Record<string, unknown>): GuideMistake | undefined {
  const sandbox = doc.sandbox;
  if (isPlainObject(sandbox) && 'approval_policy' in sandbox) return { kind: 'sandbox-table', meant: modeNamed(sandbox.approval_policy) };
  const policy = doc.approval_policy;
  if (typeof policy === 'string' && !CODEX_POLICIES.includes(policy) && modeNamed(policy))
    return { kind: 'invalid-policy', meant: modeNamed(policy) };
  return undefined;
}

const FEATURE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Reads the approval keys and `[features]`; nothing else leaves this function. */
export function readApprovalSettings(configText: string): ApprovalSettings {
  const parsed = parseConfig(configText);
  if (!parsed.ok) return parsed;
  const doc = parsed.doc;
  const features: Record<string, boolean> = {};
  if (isPlainObject(doc.features)) {
    for (const [name, value] of Object.entries(doc.features)) {
      if (typeof value === 'boolean' && FEATURE_NAME.test(name)) features[name] = value;
    }
  }
  const settings: ApprovalSettings = {
    ok: true,
    mode: classify(doc),
    approvalPolicy: sanitizePolicy(doc.approval_policy),
    features,
  };
  const mistake = guideMistake(doc);
  if (mistake) settings.guideMistake = mistake;
  if (typeof doc.approvals_reviewer === 'string') settings.approvalsReviewer = shownValue(doc.approvals_reviewer);
  if (typeof doc.sandbox_mode === 'string') settings.sandboxMode = shownValue(doc.sandbox_mode);
  return settings;
}

/**
 * Codex's values are lowercase words joined by - or _ (on-request, auto_review,
 * danger-full-access). A string of any other shape may be a secret pasted in
 * the wrong place (Codex refuses it anyway): it is named, not shown.
 */
const CODEX_VALUE = /^[a-z]{1,24}(?:[-_][a-z]{1,24}){0,4}$/;
export const HIDDEN_VALUE = '(hidden: not a value Codex knows)';

function shownValue(value: string): string {
  return CODEX_VALUE.test(value) ? value : HIDDEN_VALUE;
}

/**
 * approval_policy as shown to an operator: a string, or the granular table's
 * booleans. Anything else is reduced to its shape, so a stray secret pasted
 * there does not travel.
 */
function sanitizePolicy(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return shownValue(value);
  if (typeof value === 'boolean' || typeof value === 'number') return value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value).slice(0, 20)) {
      if (!CODEX_VALUE.test(key)) continue;
      if (typeof inner === 'boolean') out[key] = inner;
      else if (isPlainObject(inner)) {
        const table: Record<string, boolean | string> = {};
        for (const [k, v] of Object.entries(inner).slice(0, 20)) {
          if (CODEX_VALUE.test(k)) table[k] = typeof v === 'boolean' ? v : `(${typeof v})`;
        }
        out[key] = table;
      } else out[key] = `(${Array.isArray(inner) ? 'array' : typeof inner})`;
    }
    return out;
  }
  return `(${Array.isArray(value) ? 'array' : typeof value})`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && String(a) === String(b) && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, k) => deepEqual(v, b[k]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as never)[k], (b as never)[k]));
  }
  return false;
}

function withoutApprovalKeys(doc: Record<string, unknown>, alsoSandboxTable: boolean): Record<string, unknown> {
  const rest = { ...doc };
  for (const key of APPROVAL_KEYS) delete rest[key];
  if (alsoSandboxTable) delete rest.sandbox;
  return rest;
}

export interface ApprovalEditOptions {
  /**
   * The reviewer name Auto-review is written with. Default: the one the file already has, else
   * `auto_review`; an older Codex needs `guardian_subagent`.
   */
  autoReviewer?: AutoReviewer;
  /** Also remove the `[sandbox]` table of OpenAB's guide, which Codex ignores (the repair). */
  dropSandboxTable?: boolean;
}

const quote = (value: string) => JSON.stringify(value);

/**
 * Switches the approval mode by editing only the mode's top-level lines.
 *
 * - The mode's keys are replaced in place when present (the value only, so
 *   the key's spelling and a trailing comment stay), also when the value is
 *   an inline or multi-line table; dotted-key forms (`approval_policy.x = ...`)
 *   and `[approval_policy...]` sections are replaced by the one plain line.
 * - Missing keys are inserted next to the mode keys already present, else
 *   after the last top-level key, else after the file's leading comment
 *   block, always before the first table header.
 * - Leaving Full access removes `sandbox_mode` when it is
 *   "danger-full-access", so the agent does not keep full access silently;
 *   Codex's own default sandbox then applies. Any other sandbox_mode is the
 *   operator's choice and stays.
 * - Going to Full access removes `approvals_reviewer`: with "never" nothing
 *   is ever reviewed, and a leftover reviewer would only mislead a reader.
 * - Line endings (LF or CRLF), a BOM, the trailing newline (or its absence),
 *   comments, blank lines, key order and every other table stay as they were.
 * - A file that does not parse is refused. The result is re-parsed: it must
 *   read back as the mode and equal the original everywhere but these keys,
 *   or the edit is refused rather than returned.
 */
export function setApprovalMode(
  configText: string,
  mode: ApprovalMode,
  options: ApprovalEditOptions = {},
): { text: string } | { error: string } {
  if (!isApprovalMode(mode)) return { error: 'unknown approval mode' };
  const text = configText ?? '';
  const before = parseConfig(text);
  if (!before.ok) return { error: before.error };

  let statements: Statement[];
  try {
    statements = scanStatements(text);
  } catch {
    return { error: 'config.toml uses syntax this editor cannot change safely; edit it by hand' };
  }

  const eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1 || text.length)) ? '\r\n' : '\n';
  const kept = before.doc.approvals_reviewer;
  const wanted = approvalModeKeys(mode, options.autoReviewer ?? (isAutoReviewer(kept) ? kept : 'auto_review'));
  const dropSandbox = Boolean(options.dropSandboxTable) && 'sandbox' in before.doc;
  const remove = new Set<string>();
  if (mode === 'full-access') remove.add('approvals_reviewer');
  else if (before.doc.sandbox_mode === 'danger-full-access') remove.add('sandbox_mode');

  const edits: Edit[] = [];
  const pending: string[] = [];
  let anchor: KeyValue | undefined;
  const removeRange = (start: number, end: number) => edits.push({ start, end, text: '' });
  // A section runs from its header to the end of its last statement (trailing comments and
  // blank lines stay).
  const removeSection = (header: Header) => {
    let end = header.end;
    for (let k = statements.indexOf(header) + 1; k < statements.length && statements[k].kind === 'keyval'; k++) end = statements[k].end;
    removeRange(header.lineStart, end);
  };

  const headers = statements.filter((s): s is Header => s.kind === 'header');
  for (const key of APPROVAL_KEYS) {
    const inRoot = statements.filter((s): s is KeyValue => s.kind === 'keyval' && s.root && s.path[0] === key);
    // `[key]`, `[key.sub]` and `[[key]]` sections.
    const touched = key in wanted || remove.has(key);
    for (const header of headers.filter((h) => touched && h.path[0] === key)) removeSection(header);
    const hasSection = headers.some((h) => h.path[0] === key);
    if (key in wanted) {
      const value = wanted[key];
      const [first, ...others] = inRoot;
      if (first && first.path.length === 1) {
        if (!(before.doc[key] === value && others.length === 0 && !hasSection)) {
          edits.push({ start: first.valueStart, end: first.valueEnd, text: quote(value) });
        }
      } else if (first) {
        edits.push({ start: first.keyStart, end: first.valueEnd, text: `${key} = ${quote(value)}` });
      }
      for (const other of others) removeRange(other.lineStart, other.end);
      if (first) {
        if (!anchor || first.end > anchor.end) anchor = first;
      } else {
        pending.push(`${key} = ${quote(value)}`);
      }
    } else if (remove.has(key)) {
      for (const statement of inRoot) removeRange(statement.lineStart, statement.end);
    }
  }

  if (dropSandbox) {
    // The guide's `[sandbox]` table (and `[sandbox.x]` below it, and dotted `sandbox.x = ...`
    // keys): Codex reads none of it.
    for (const header of headers.filter((h) => h.path[0] === 'sandbox')) removeSection(header);
    for (const statement of statements) {
      if (statement.kind === 'keyval' && statement.root && statement.path[0] === 'sandbox') removeRange(statement.lineStart, statement.end);
    }
  }

  if (pending.length > 0) {
    // With no mode key kept in place, the new lines take the place of a
    // removed one (a stale sandbox_mode, say), else find their own spot.
    const replaced = anchor ? undefined : statements.find((s): s is KeyValue => s.kind === 'keyval' && s.root && remove.has(s.path[0]));
    edits.push(
      replaced
        ? { start: replaced.lineStart, end: replaced.lineStart, text: pending.join(eol) + eol }
        : insertion(text, statements, anchor, pending, eol),
    );
  }

  if (overlapping(edits)) return { error: 'config.toml could not be changed safely by this editor; edit it by hand' };
  let result = applyEdits(text, edits);
  // Keep the file's trailing newline, or its absence.
  if (text.length > 0 && !text.endsWith('\n') && result.endsWith('\n')) result = result.replace(/\r?\n$/, '');
  else if (text.endsWith('\n') && result.length > 0 && !result.endsWith('\n')) result += eol;
  const after = parseConfig(result);
  if (
    !after.ok ||
    classify(after.doc) !== mode ||
    (dropSandbox && 'sandbox' in after.doc) ||
    !deepEqual(withoutApprovalKeys(before.doc, dropSandbox), withoutApprovalKeys(after.doc, dropSandbox))
  ) {
    return { error: 'config.toml could not be changed safely by this editor; edit it by hand' };
  }
  return { text: result };
}

/** Where and what to insert for keys the file does not have yet. */
function insertion(text: string, statements: Statement[], anchor: KeyValue | undefined, lines: string[], eol: string): Edit {
  const block = lines.join(eol);
  const atEnd = (at: number) =>
    at === text.length && text.length > 0 && !text.endsWith('\n')
      ? { start: at, end: at, text: eol + block } // keep "no trailing newline"
      : { start: at, end: at, text: block + eol };

  const rootKeys = statements.filter((s): s is KeyValue => s.kind === 'keyval' && s.root && !APPROVAL_KEYS.includes(s.path[0] as never));
  const after = anchor ?? rootKeys[rootKeys.length - 1];
  if (after) return atEnd(after.end);

  // No top-level key at all: after the file's leading comment block (and the
  // blank line under it), keeping a blank line before whatever follows so a
  // comment that belongs to the first table stays attached to it.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lineAt = (at: number) => {
    const nl = text.indexOf('\n', at);
    return { text: text.slice(at, nl < 0 ? text.length : nl), next: nl < 0 ? text.length : nl + 1 };
  };
  let at = bom;
  let sawComment = false;
  while (at < text.length) {
    const line = lineAt(at);
    if (!line.text.trim().startsWith('#')) break;
    sawComment = true;
    at = line.next;
  }
  if (sawComment && at < text.length && lineAt(at).text.trim() === '') at = lineAt(at).next;
  if (at >= text.length) return atEnd(text.length);
  const following = lineAt(at).text.trim();
  return { start: at, end: at, text: block + eol + (following === '' ? '' : eol) };
}
