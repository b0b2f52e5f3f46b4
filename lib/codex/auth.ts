/**
 * Codex's auth.json, reduced to facts an operator may see.
 *
 * `reduceAuthJson` runs INSIDE the agent pod (its source is sent with
 * `.toString()` and evaluated by `node`), so no token byte ever crosses the
 * exec channel. `summarizeAuth` and friends run on the dashboard server.
 */
import { codexErrorMessage } from './cli-output';

/** Non-secret facts about an auth.json; JSON-serialisable. */
export type AuthFacts = {
  /** false when the file does not exist. */
  present: boolean;
  /** Generic reason the file could not be read; never echoes its content. */
  parseError?: string;
  authMode?: string;
  /** The API key as Codex masks it (first 8 + '***' + last 5), or '***' when short. */
  apiKeyMasked?: string;
  hasTokens: boolean;
  email?: string;
  plan?: string;
  accountId?: string;
  /** Access token `exp`, in seconds since the epoch. */
  accessTokenExp?: number;
  /** `last_refresh` as written (RFC 3339). */
  lastRefresh?: string;
  /** Names of newer optional credential fields that are present (e.g. agent_identity). */
  extraModes?: string[];
};

/**
 * Reduces auth.json text (null when the file is missing) to non-secret facts.
 *
 * MUST stay self-contained: no imports, no helpers outside this body, no
 * nested function declarations or named arrow functions (some transpilers
 * wrap those in helper calls that would not exist inside the pod), and
 * nothing a transpiler might down-level into a helper (no spread, no
 * optional chaining, no classes). A test runs `.toString()` of it in a bare
 * `node` to keep it that way.
 */
export function reduceAuthJson(text: string | null): AuthFacts {
  if (text === null || text === undefined) {
    return { present: false, hasTokens: false };
  }
  if (typeof text !== 'string') {
    return { present: true, parseError: 'not text', hasTokens: false };
  }
  if (text.length > 1024 * 1024) {
    return { present: true, parseError: 'too large', hasTokens: false };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return { present: true, parseError: text.trim() === '' ? 'empty file' : 'not valid JSON', hasTokens: false };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { present: true, parseError: 'not a JSON object', hasTokens: false };
  }
  const root = doc as Record<string, unknown>;
  const facts: AuthFacts = { present: true, hasTokens: false };

  // Only short, plain identifiers are echoed, so even a token pasted into the
  // wrong field cannot leave the pod through these.
  const identifier = /^[A-Za-z0-9_.:-]{1,64}$/;
  const emailShape = /^[^\s@<>"'`\\]{1,128}@[^\s@<>"'`\\]{1,128}$/;
  const timeShape = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:.]{5,20}([Zz]|[+-][0-9]{2}:?[0-9]{2})?$/;

  const mode = root.auth_mode;
  if (typeof mode === 'string') {
    facts.authMode = identifier.test(mode) ? mode : 'unrecognised';
  }

  const key = root.OPENAI_API_KEY;
  if (typeof key === 'string' && key.length > 0) {
    // Codex shows the first 8 and last 5 characters, and only '***' when the
    // key is 13 characters or fewer (so nothing meaningful would be hidden).
    const chars = Array.from(key);
    facts.apiKeyMasked =
      chars.length <= 13 || chars.length > 4096 ? '***' : chars.slice(0, 8).join('') + '***' + chars.slice(chars.length - 5).join('');
  }

  const tokens = root.tokens;
  if (tokens !== null && typeof tokens === 'object' && !Array.isArray(tokens)) {
    const t = tokens as Record<string, unknown>;
    const hasId = typeof t.id_token === 'string' && t.id_token.length > 0;
    const hasAccess = typeof t.access_token === 'string' && t.access_token.length > 0;
    const hasRefresh = typeof t.refresh_token === 'string' && t.refresh_token.length > 0;
    facts.hasTokens = hasId || hasAccess || hasRefresh;
    if (typeof t.account_id === 'string' && identifier.test(t.account_id)) {
      facts.accountId = t.account_id;
    }
    // Decode the id_token (identity) and the access_token (expiry) payloads
    // without verifying: we only display them.
    const which = ['id_token', 'access_token'];
    for (let w = 0; w < which.length; w++) {
      const jwt = t[which[w]];
      if (typeof jwt !== 'string' || jwt.length > 256 * 1024) continue;
      const parts = jwt.split('.');
      if (parts.length !== 3 || !/^[A-Za-z0-9_-]+={0,2}$/.test(parts[1])) continue;
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      } catch {
        continue;
      }
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) continue;
      const claims = payload as Record<string, unknown>;
      if (which[w] === 'access_token') {
        if (typeof claims.exp === 'number' && isFinite(claims.exp) && claims.exp > 0) {
          facts.accessTokenExp = Math.floor(claims.exp);
        }
        continue;
      }
      let email: unknown = claims.email;
      const profile = claims['https://api.openai.com/profile'];
      if (typeof email !== 'string' && profile !== null && typeof profile === 'object') {
        email = (profile as Record<string, unknown>).email;
      }
      if (typeof email === 'string' && emailShape.test(email)) {
        facts.email = email;
      }
      const auth = claims['https://api.openai.com/auth'];
      if (auth !== null && typeof auth === 'object' && !Array.isArray(auth)) {
        const a = auth as Record<string, unknown>;
        if (typeof a.chatgpt_plan_type === 'string' && identifier.test(a.chatgpt_plan_type)) {
          facts.plan = a.chatgpt_plan_type;
        }
        if (facts.accountId === undefined && typeof a.chatgpt_account_id === 'string' && identifier.test(a.chatgpt_account_id)) {
          facts.accountId = a.chatgpt_account_id;
        }
      }
    }
  }

  if (typeof root.last_refresh === 'string' && timeShape.test(root.last_refresh)) {
    facts.lastRefresh = root.last_refresh;
  }

  // Newer credential kinds Codex added beside the classic two: report which
  // are present (names only) so an operator sees why a login looks unusual.
  const known = ['agent_identity', 'personal_access_token', 'bedrock_api_key', 'bedrock_access_keys'];
  const standard = ['auth_mode', 'OPENAI_API_KEY', 'tokens', 'last_refresh'];
  const extras: string[] = [];
  const names = Object.keys(root);
  for (let n = 0; n < names.length && extras.length < 16; n++) {
    const name = names[n];
    const value = root[name];
    if (value === null || value === undefined || value === '' || value === false) continue;
    if (standard.indexOf(name) !== -1) continue;
    if (known.indexOf(name) !== -1 || /^[a-z][a-z0-9_]{0,39}$/.test(name)) {
      extras.push(name);
    }
  }
  if (extras.length > 0) facts.extraModes = extras;
  return facts;
}

export type Expiry = 'ok' | 'soon' | 'expired' | 'unknown';

export type LoginState =
  | {
      kind: 'chatgpt';
      email?: string;
      plan?: string;
      accountId?: string;
      /** 'unknown' when neither an access-token exp nor last_refresh is readable. */
      expiry: Expiry;
      /** What the expiry was judged from. */
      expiryBasis?: 'access-token' | 'last-refresh';
      /** When the access token expires (or the 8-day refresh window ends), ISO time. */
      expiresAt?: string;
      lastRefresh?: string;
      extraModes?: string[];
    }
  | { kind: 'apikey'; masked: string }
  | { kind: 'not-logged-in' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'other'; mode: string; extraModes?: string[] };

/** Codex refreshes a token without exp once last_refresh is this old. */
export const REFRESH_WINDOW_MS = 8 * 24 * 60 * 60 * 1000;
/** How close to expiry counts as "about to expire". */
export const EXPIRY_SOON_MS = 24 * 60 * 60 * 1000;

/**
 * Codex's own rules: the access token is stale when `exp <= now`; without
 * `exp`, when `last_refresh` is older than 8 days. Codex then refreshes, and
 * that fails once the refresh token itself expired, so both are shown as a
 * warning state rather than "fine".
 */
export function summarizeAuth(facts: AuthFacts, now: Date): LoginState {
  if (!facts.present) return { kind: 'not-logged-in' };
  if (facts.parseError !== undefined) return { kind: 'unreadable', reason: facts.parseError };

  // Codex infers the mode when auth_mode is absent: an API key means apikey,
  // otherwise ChatGPT.
  const mode = facts.authMode ?? (facts.apiKeyMasked !== undefined ? 'apikey' : 'chatgpt');
  if (mode === 'apikey') {
    return facts.apiKeyMasked !== undefined ? { kind: 'apikey', masked: facts.apiKeyMasked } : { kind: 'not-logged-in' };
  }
  if (mode !== 'chatgpt') {
    if (!facts.hasTokens && facts.apiKeyMasked === undefined && facts.extraModes === undefined) {
      return { kind: 'not-logged-in' };
    }
    return facts.extraModes ? { kind: 'other', mode, extraModes: facts.extraModes } : { kind: 'other', mode };
  }
  if (!facts.hasTokens) {
    // A ChatGPT file without tokens cannot authenticate anything.
    return facts.apiKeyMasked !== undefined ? { kind: 'apikey', masked: facts.apiKeyMasked } : { kind: 'not-logged-in' };
  }

  const nowMs = now.getTime();
  let expiry: Expiry = 'unknown';
  let expiresAtMs: number | undefined;
  let expiryBasis: 'access-token' | 'last-refresh' | undefined;
  if (facts.accessTokenExp !== undefined) {
    expiresAtMs = facts.accessTokenExp * 1000;
    expiryBasis = 'access-token';
  } else if (facts.lastRefresh !== undefined) {
    const refreshed = Date.parse(facts.lastRefresh);
    if (Number.isFinite(refreshed)) {
      expiresAtMs = refreshed + REFRESH_WINDOW_MS;
      expiryBasis = 'last-refresh';
    }
  }
  if (expiresAtMs !== undefined) {
    expiry = expiresAtMs <= nowMs ? 'expired' : expiresAtMs - nowMs <= EXPIRY_SOON_MS ? 'soon' : 'ok';
  }

  const state: LoginState = { kind: 'chatgpt', expiry };
  if (facts.email !== undefined) state.email = facts.email;
  if (facts.plan !== undefined) state.plan = facts.plan;
  if (facts.accountId !== undefined) state.accountId = facts.accountId;
  if (expiryBasis !== undefined) state.expiryBasis = expiryBasis;
  if (expiresAtMs !== undefined && Number.isFinite(expiresAtMs) && Math.abs(expiresAtMs) < 8.64e15) {
    state.expiresAt = new Date(expiresAtMs).toISOString();
  }
  if (facts.lastRefresh !== undefined) state.lastRefresh = facts.lastRefresh;
  if (facts.extraModes !== undefined) state.extraModes = facts.extraModes;
  return state;
}

/** States an operator should act on: sort these first, badge them. */
export function needsAttention(state: LoginState): boolean {
  switch (state.kind) {
    case 'not-logged-in':
    case 'unreadable':
      return true;
    case 'chatgpt':
      return state.expiry === 'expired' || state.expiry === 'soon';
    default:
      return false;
  }
}

/** One short human label, e.g. "ChatGPT: ada@example.com (plus), expired". */
export function describeLogin(state: LoginState): string {
  switch (state.kind) {
    case 'not-logged-in':
      return 'Not logged in';
    case 'unreadable':
      return `auth.json unreadable (${state.reason})`;
    case 'apikey':
      return `API key ${state.masked}`;
    case 'other':
      return `Logged in (${state.mode})`;
    case 'chatgpt': {
      let label = 'ChatGPT';
      if (state.email) label += `: ${state.email}`;
      if (state.plan) label += ` (${state.plan})`;
      if (state.expiry === 'expired') {
        label +=
          state.expiryBasis === 'last-refresh'
            ? ', not refreshed for over 8 days: log in again if requests fail'
            : ', access token expired: log in again if the refresh fails';
      } else if (state.expiry === 'soon') {
        label += ', access token about to expire';
      }
      return label;
    }
  }
}

/** Bytes above which auth.json is not read at all (mirrors the reducer's own cap). */
export const AUTH_JSON_MAX_BYTES = 1024 * 1024;

/**
 * A complete node program, for `node -e <program> <path-to-auth.json>` in the
 * pod: it checks the size before reading (a huge file is never loaded),
 * treats a missing file as null, and prints one line of AuthFacts JSON.
 * Nothing else is printed, so no token byte crosses the exec channel.
 */
export function authReducerProgram(): string {
  return [
    `const reduce = (${reduceAuthJson.toString()});`,
    `const fs = require('fs');`,
    `const file = process.argv[1];`,
    `let facts;`,
    `try {`,
    `  const size = fs.statSync(file).size;`,
    `  facts = size > ${AUTH_JSON_MAX_BYTES} ? { present: true, parseError: 'too large', hasTokens: false } : reduce(fs.readFileSync(file, 'utf8'));`,
    `} catch (e) {`,
    `  facts = e && e.code === 'ENOENT' ? reduce(null) : { present: true, parseError: 'cannot read (' + (e && /^E[A-Z]+$/.test(e.code) ? e.code : 'error') + ')', hasTokens: false };`,
    `}`,
    `process.stdout.write(JSON.stringify(facts) + '\\n');`,
  ].join('\n');
}

export type LoginStatusOutput =
  | { kind: 'chatgpt' }
  | { kind: 'apikey'; masked?: string }
  | { kind: 'not-logged-in' }
  | { kind: 'unreadable'; message: string }
  | { kind: 'unknown'; message: string };

/**
 * Reads `codex login status` (it prints on stderr; it never validates or
 * refreshes tokens, so this is a cross-check of the file, not of the login).
 */
export function parseLoginStatus(stdout: string, stderr: string, exitCode: number | null): LoginStatusOutput {
  const text = `${stderr ?? ''}\n${stdout ?? ''}`.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('WARNING: proceeding'));
  const apiKey = lines.map((line) => /^API key configured(?: - (\S{1,40}))?/.exec(line)).find(Boolean);
  if (apiKey) return apiKey[1] ? { kind: 'apikey', masked: apiKey[1] } : { kind: 'apikey' };
  if (lines.some((line) => /^Logged in using ChatGPT/.test(line))) return { kind: 'chatgpt' };
  if (lines.some((line) => /^Not logged in/.test(line))) return { kind: 'not-logged-in' };
  // Codex quotes serde's position ("at line 1 column 2") but not the content.
  const broken = lines.find((line) => /^Error checking login status:/.test(line));
  if (broken) return { kind: 'unreadable', message: codexErrorMessage(broken)?.slice(0, 300) ?? 'Error checking login status' };
  return { kind: 'unknown', message: ((lines[0] && codexErrorMessage(lines[0])) ?? `codex exited with code ${exitCode}`).slice(0, 300) };
}
