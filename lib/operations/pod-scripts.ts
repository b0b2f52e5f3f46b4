// The fixed scripts the dashboard runs in an agent's pod to change Codex's files. They are
// constants: every value from a request arrives as a positional argument ("$1", ...) or on
// stdin, after validation, and is never spliced into the script text.

import { POD_SHELL_PRELUDE } from '../pod-shell';

/** The config file and the lock that serialises our edits of it. */
const PRELUDE = `${POD_SHELL_PRELUDE}
F="$H/config.toml"
L="$H/.config.toml.openab-lock"
lock() {
  lock_dir "$H" "$L"
  trap 'rmdir "$L" 2>/dev/null' EXIT
}
`;

/**
 * Prints `H <codex home>`, `S <sha256 of config.toml | missing>`, `Z <size>`, then the file.
 * $1 = the largest size we read.
 */
export const READ_CONFIG_SCRIPT = `${PRELUDE}
say "H $H"
if [ -L "$F" ]; then say "S symlink"; exit 0; fi
if [ ! -e "$F" ]; then say "S missing"; exit 0; fi
[ -r "$F" ] || { say "S unreadable"; exit 0; }
Z=$(wc -c < "$F" | tr -d ' ')
if [ "$Z" -gt "$1" ]; then say "S toolarge"; say "Z $Z"; exit 0; fi
say "S $(digest < "$F")"
say "Z $Z"
cat "$F"
`;

/**
 * Compare-and-swap of config.toml. $1 = sha256 the edit was made against (or "missing"),
 * $2 = byte count of the new content, which arrives on stdin. Under the lock: check the
 * hash, write a temporary file in the same directory, rename it over config.toml (atomic),
 * then `codex features list` must accept it, else the previous file is renamed back.
 * Last line: `OK <new sha256>` or `E <reason>`; Codex's error on stderr.
 */
export const WRITE_CONFIG_SCRIPT = `${PRELUDE}
lock
T="$H/.config.toml.openab-new.$$"
B="$H/.config.toml.openab-old.$$"
cleanup() { rm -f "$T" "$B"; rmdir "$L" 2>/dev/null; }
trap cleanup EXIT
if [ -L "$F" ]; then say "E symlink"; exit 22; fi
if [ -e "$F" ]; then CUR=$(digest < "$F"); else CUR=missing; fi
[ "$CUR" = "$1" ] || { say "E conflict"; exit 23; }
if ! cat > "$T" 2>/dev/null; then say "E write"; exit 24; fi
W=$(wc -c < "$T" | tr -d ' ')
[ "$W" = "$2" ] || { say "E short"; exit 24; }
if [ -e "$F" ]; then
  chmod "$(stat -c %a "$F")" "$T" 2>/dev/null
  ln "$F" "$B" 2>/dev/null || cp -p "$F" "$B" 2>/dev/null || { say "E write"; exit 24; }
fi
mv -f "$T" "$F" 2>/dev/null || { say "E rename"; exit 25; }
OUT=$(codex features list 2>&1 >/dev/null); RC=$?
if [ "$RC" -ne 0 ]; then
  if [ -e "$B" ]; then mv -f "$B" "$F"; else rm -f "$F"; fi
  printf '%s' "$OUT" | head -c 8192 >&2
  if [ "$RC" = 127 ]; then say "E nocodex"; else say "E codex $RC"; fi
  exit 26
fi
say "OK $(digest < "$F")"
`;

/**
 * \`codex features enable|disable NAME\` under the same lock as our config.toml edits.
 * $1 = enable|disable, $2 = a feature name already checked against Codex's own list.
 */
export const TOGGLE_FEATURE_SCRIPT = `${PRELUDE}
case "$1" in enable|disable) ;; *) say "E verb"; exit 2;; esac
lock
codex features "$1" "$2"
`;

export interface ConfigRead {
  codexHome: string;
  state: 'present' | 'missing' | 'symlink' | 'unreadable' | 'toolarge';
  /** sha256 of the bytes, or "missing" (what the compare-and-swap expects). */
  hash: string;
  bytes: Buffer;
}

/** Splits the read script's output (three header lines, then the file's raw bytes). */
export function parseConfigRead(stdout: Buffer): ConfigRead | null {
  let at = 0;
  const line = () => {
    const nl = stdout.indexOf(0x0a, at);
    if (nl < 0) return null;
    const text = stdout.subarray(at, nl).toString('utf8');
    at = nl + 1;
    return text;
  };
  const home = line();
  const sum = line();
  if (!home?.startsWith('H ') || !sum?.startsWith('S ')) return null;
  const s = sum.slice(2);
  const codexHome = home.slice(2);
  if (s === 'missing') return { codexHome, state: 'missing', hash: 'missing', bytes: Buffer.alloc(0) };
  if (s === 'symlink' || s === 'unreadable' || s === 'toolarge') return { codexHome, state: s, hash: '', bytes: Buffer.alloc(0) };
  if (!/^[0-9a-f]{64}$/.test(s)) return null;
  const size = line();
  if (!size?.startsWith('Z ')) return null;
  const bytes = stdout.subarray(at);
  if (bytes.length !== Number(size.slice(2))) return null;
  return { codexHome, state: 'present', hash: s, bytes: Buffer.from(bytes) };
}

/** The last `OK ...` / `E ...` line of the write and toggle scripts. */
export function lastStatusLine(stdout: string): string {
  const lines = stdout.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}
