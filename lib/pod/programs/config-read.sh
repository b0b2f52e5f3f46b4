#!/bin/sh
# Reads config.toml with its hash. $1 = the largest size read.
# Frames: `home` (body: the Codex home), then `config <sha256> <size>` with the file's bytes as
# body, or `config missing|symlink|unreadable|toolarge [size]`, then `end`.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
. ./_config.sh
m home; printf '%s' "$H"
if [ -L "$F" ]; then m config symlink; m end; exit 0; fi
if [ ! -e "$F" ]; then m config missing; m end; exit 0; fi
[ -r "$F" ] || { m config unreadable; m end; exit 0; }
Z=$(wc -c < "$F" | tr -d ' ')
if [ "$Z" -gt "$1" ]; then m config toolarge "$Z"; m end; exit 0; fi
m config "$(digest < "$F")" "$Z"
cat "$F"
m end
