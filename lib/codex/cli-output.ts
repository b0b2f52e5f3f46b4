/**
 * Helpers for reading what the Codex CLI prints: colour codes, CRLF, and the
 * Rust-style error report (`Error: ...`, `Caused by:`, `Stack backtrace:`).
 */

// CSI sequences (colours, cursor moves), OSC sequences (hyperlinks, titles)
// and lone two-byte escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;

/** Removes terminal escape sequences and normalises line endings to LF. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n');
}

/** Lines Codex prints that are about the environment, not the command. */
function isNoise(line: string): boolean {
  return /^WARNING: proceeding, even though we could not (create|update) PATH/.test(line) || /^Caused by:$/.test(line);
}

const MAX_MESSAGE = 600;
const MAX_LINES = 8;
const HIDDEN = '(hidden)';

// Codex's own words around a reason. Anything else in a message may be a
// piece of config.toml (a value, a key, a whole line) and is hidden.
const WORD_SHAPES: readonly RegExp[] = [
  /^[A-Za-z][a-z]{0,23}$/, // words: Error, invalid, expected
  /^[A-Z]{2,10}$/, // acronyms: TOML, URL
  /^\d{1,6}$/, // line, column, status, minutes
  /^\d{1,4}(?:\.\d{1,4}){1,3}$/, // versions
  /^[a-z]{1,24}(?:_[a-z]{1,24}){1,5}$/, // Codex's own names: approval_policy, image_generation
  /^(?:[A-Z]?[a-z]{1,16}|[A-Z]{1,10})(?:-(?:[A-Z]?[a-z]{1,16}|[A-Z]{1,10}|\d{1,2})){1,3}$/, // utf-8, on-request, Under-development
  /^[A-Za-z][a-z]{0,16}'[a-z]{1,2}$/, // Codex's, don't
  /^(?:config|auth)\.(?:toml|json)$/, // the file a position is in
  /^[-–—&]$/,
];

function isCodexWord(word: string): boolean {
  const core = word.replace(/^[(\[]+/, '').replace(/[)\],.;:!?]+$/, '');
  return core === '' ? /^[(),.;:!?-]+$/.test(word) : WORD_SHAPES.some((shape) => shape.test(core));
}

/** A key path Codex names (`in \`mcp_servers.github.command\``): kept only when every part is a plain name. */
const KEY_PATH = /^[a-z]{1,24}(?:_[a-z]{1,24}){0,5}(?:\.[a-z]{1,24}(?:_[a-z]{1,24}){0,5}){0,5}$/;
/** What Codex says it expected: its own vocabulary (`=`, `]`, `on-request`), short and without spaces. */
const EXPECTED_TOKEN = /^[\x21-\x7e]{1,24}$/;

function sanitizeText(text: string): string {
  return text
    .split(/(\s+)/)
    .map((part) => (part.trim() === '' || isCodexWord(part) ? part : HIDDEN))
    .join('');
}

/**
 * One line of a Codex error, reduced to Codex's reason: positions and Codex's
 * own words stay; quoted source, values, paths and anything shaped unlike
 * Codex's wording become "(hidden)".
 */
function sanitizeLine(line: string): string | null {
  let text = line
    // `/home/node/.codex/config.toml:4:40:` -> `config.toml line 4, column 40:`
    .replace(/(?:[^\s`"']*\/)?((?:config|auth)\.(?:toml|json)):(\d{1,6}):(\d{1,6})\b/g, '$1 line $2, column $3')
    // Any other path to a file Codex reads: its name only.
    .replace(/(?:[^\s`"']*\/)((?:config|auth)\.(?:toml|json))\b/g, '$1');
  const expectedAt = text.search(/\bexpected\b/);
  let out = '';
  let rest = 0;
  const quoted = /`([^`\n]*)`|"((?:[^"\\\n]|\\.)*)"/g;
  for (let m = quoted.exec(text); m; m = quoted.exec(text)) {
    const before = text.slice(rest, m.index);
    out += sanitizeText(before);
    const inner = m[1] ?? m[2] ?? '';
    const afterExpected = expectedAt >= 0 && m.index > expectedAt;
    const keyPath = /\bin\s*$/.test(before) && KEY_PATH.test(inner);
    // `key = value` quoted back from the file: the key (when it is a plain name) says which setting.
    const assignment = /^([a-z]{1,24}(?:_[a-z]{1,24}){0,5})\s*=/.exec(inner);
    out += (afterExpected && EXPECTED_TOKEN.test(inner)) || keyPath ? m[0] : assignment ? `\`${assignment[1]} = ${HIDDEN}\`` : HIDDEN;
    rest = m.index + m[0].length;
  }
  out += sanitizeText(text.slice(rest));
  text = out
    .replace(/\(hidden\)(?:[\s,.;:]*\(hidden\))+/g, HIDDEN)
    .replace(/\s+/g, ' ')
    .trim();
  // Nothing of Codex's wording left: not worth a line.
  if (!/[A-Za-z]{3,}/.test(text.replaceAll(HIDDEN, ''))) return null;
  return text;
}

/**
 * Codex's error reason from what it printed (stderr, or stdout as a
 * fallback), safe to show to any role: the ONE way a Codex message becomes a
 * message of ours. config.toml may hold secrets, and Codex quotes it (source
 * snippets ` 4 | key = value`, and values inside its message: "unknown
 * variant `...`", "invalid type: string "..."", "legacy `profile = ...`").
 * Kept: the error, file, line, column, what Codex expected, plain key paths.
 * Dropped: snippets, backtraces, environment warnings, and every word not
 * shaped like Codex's own wording.
 */
export function codexErrorMessage(output: string): string | undefined {
  const kept: string[] = [];
  // Bounded: a hostile pod may print megabytes.
  for (const raw of stripAnsi(output.slice(0, 65_536)).split('\n')) {
    if (/^\s*Stack backtrace:/.test(raw)) break;
    const line = raw.trim().slice(0, 2_000);
    if (line === '' || isNoise(line)) continue;
    // Source snippet and caret lines of a TOML parse report: "|", "4 | a = b", "|   ^^^".
    if (/^\d*\s*\|/.test(line)) continue;
    const reason = sanitizeLine(line.replace(/^\d{1,2}:\s+/, ''));
    if (!reason || kept.some((k) => k.includes(reason))) continue;
    kept.push(reason);
    if (kept.length === MAX_LINES) break;
  }
  if (kept.length === 0) return undefined;
  const message = kept.join('\n');
  return message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) + '…' : message;
}
