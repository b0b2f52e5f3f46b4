#!/bin/sh
# Removes a skill folder the user agreed to replace (the previous delivery skill, once the new
# one is in place), compare-and-swap under the skills' lock. $1 = folder name, $2 = its
# script's path in it, $3, $4 = the sha256 (or "missing") its SKILL.md and script must still
# have. Last frame: `OK`, `GONE` (nothing there) or `E <code>`.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
. ./_skills.sh
lock_dir "$S" "$L"
trap 'rmdir "$L" 2>/dev/null' EXIT
[ -e "$D" ] || { m GONE; exit 0; }
no_links "$2"
{ [ "$(cur SKILL.md)" = "$3" ] && [ "$(cur "$2")" = "$4" ]; } || fail conflict 23
rm -rf "$D" 2>/dev/null || fail rename 25
m OK
