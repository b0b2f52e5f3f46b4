#!/bin/sh
# Compare-and-swap of config.toml. $1 = sha256 the edit was made against (or "missing"),
# $2 = byte count of the new content, which arrives on stdin. Under the lock: check the hash,
# write a temporary file in the same directory, rename it over config.toml (atomic), then
# `codex features list` must accept it, else the previous file is renamed back.
# Last frame: `OK <new sha256>` or `E <code>` (`E codex <exit>`); Codex's error on stderr.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
. ./_config.sh
lock
T="$H/.config.toml.openab-new.$$"
B="$H/.config.toml.openab-old.$$"
cleanup() { rm -f "$T" "$B"; rmdir "$L" 2>/dev/null; }
trap cleanup EXIT
if [ -L "$F" ]; then fail symlink 22; fi
if [ -e "$F" ]; then CUR=$(digest < "$F"); else CUR=missing; fi
[ "$CUR" = "$1" ] || fail conflict 23
if ! cat > "$T" 2>/dev/null; then fail write 24; fi
W=$(wc -c < "$T" | tr -d ' ')
[ "$W" = "$2" ] || fail short 24
if [ -e "$F" ]; then
  chmod "$(stat -c %a "$F")" "$T" 2>/dev/null
  ln "$F" "$B" 2>/dev/null || cp -p "$F" "$B" 2>/dev/null || fail write 24
fi
mv -f "$T" "$F" 2>/dev/null || fail rename 25
OUT=$(codex features list 2>&1 >/dev/null); RC=$?
if [ "$RC" -ne 0 ]; then
  if [ -e "$B" ]; then mv -f "$B" "$F"; else rm -f "$F"; fi
  printf '%s' "$OUT" | head -c 8192 >&2
  if [ "$RC" = 127 ]; then fail nocodex 26; fi
  m "E codex $RC"
  exit 26
fi
m OK "$(digest < "$F")"
