#!/bin/sh
# Reads a skill folder the dashboard manages. $1 = skill folder name, $2 = the script's path in
# it (the previous delivery skill had another). Frames: `home` (body: the Codex home), then
# `folder symlink`, or per managed file `file <path> <sha256|missing|symlink|toolarge>` with its
# bytes as body; then `end`. A file over 65536 bytes is not read (MAX_MANAGED_FILE).
. ./_frames.sh
. ./_home.sh
. ./_files.sh
. ./_skills.sh
m home; printf '%s' "$H"
if [ -L "$S" ] || [ -L "$D" ] || [ -L "$D/scripts" ]; then m folder symlink; m end; exit 0; fi
for f in SKILL.md "$2" .openab-dashboard.json; do
  p="$D/$f"
  if [ -L "$p" ]; then m file "$f" symlink
  elif [ ! -f "$p" ]; then m file "$f" missing
  elif [ "$(wc -c < "$p" | tr -d ' ')" -gt 65536 ]; then m file "$f" toolarge
  else m file "$f" "$(digest < "$p")"; cat "$p"
  fi
done
m end
