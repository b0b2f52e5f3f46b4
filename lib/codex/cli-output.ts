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
  return /^WARNING: proceeding, even though we could not create PATH aliases/.test(line);
}

const MAX_MESSAGE = 600;

/**
 * Codex's own error message from its stderr, without the backtrace and
 * without TOML source snippets (` 1 | key = ...`), which would echo
 * config.toml content (that file may hold secrets).
 */
export function codexErrorMessage(stderr: string): string | undefined {
  const lines = stripAnsi(stderr).split('\n');
  const kept: string[] = [];
  let started = false;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (/^\s*Stack backtrace:/.test(line)) break;
    if (!started) {
      if (/^(Error|error)(:| )/.test(line.trim()) || /^Error /.test(line)) started = true;
      else continue;
    }
    if (line.trim() === '' || isNoise(line)) continue;
    // Snippet lines of a TOML parse report: "   |", "1 | a = ", "  |     ^".
    if (/^\s*\d*\s*\|/.test(line)) continue;
    kept.push(line.trim());
  }
  let message = kept.join('\n');
  if (!message) {
    const fallback = lines.map((l) => l.trim()).filter((l) => l && !isNoise(l) && !/^\d*\s*\|/.test(l));
    message = fallback.slice(0, 3).join('\n');
  }
  if (!message) return undefined;
  return message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) + '…' : message;
}
