#!/bin/sh
# Copies a generated image to ~/images (STABLE_DIR) under a name the user gave.
# $1 = image name `<thread>/<file>` (checked), $2 = target file name (checked), $3 = the sha256
# the existing target must have to be replaced, or "new" to refuse replacing.
# Last frame: `OK <path>`, `SAME <path>`, `EXISTS <sha256> <bytes> <path>` or `E <code>`.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
G="$H/generated_images"; SRC="$G/$1"; DIR="${HOME:-/home/node}/images"; DST="$DIR/$2"
for p in "$G" "$G/${1%%/*}" "$SRC"; do [ -L "$p" ] && fail symlink 22; done
[ -f "$SRC" ] || fail nosource 23
mkdir -p "$DIR" 2>/dev/null || fail nodir 20
if [ -L "$DIR" ] || [ -L "$DST" ]; then fail symlink 22; fi
if [ -e "$DST" ]; then
  [ -f "$DST" ] || fail notfile 24
  CUR=$(digest < "$DST")
  if [ "$CUR" = "$(digest < "$SRC")" ]; then m SAME "$DST"; exit 0; fi
  if [ "$3" != "$CUR" ]; then m EXISTS "$CUR" "$(wc -c < "$DST" | tr -d ' ')" "$DST"; exit 0; fi
fi
T="$DIR/.openab-copy.$$"
trap 'rm -f "$T"' EXIT
{ cp "$SRC" "$T" 2>/dev/null && chmod 644 "$T" && mv -f "$T" "$DST" 2>/dev/null; } || fail write 25
m OK "$DST"
