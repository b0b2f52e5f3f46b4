#!/bin/sh
# A skill folder the dashboard changes: "$1" is its name. `S`, `D` the skills and the folder,
# `L` the lock that serialises the dashboard's changes of skills; `no_links SCRIPT`: `E symlink`
# (exit 22) when the folder or a managed file is a link; `cur FILE`: its sha256, or "missing".
# shellcheck disable=SC2034 # L is read by the programs that include this file.
S="$H/skills"
D="$S/$1"
L="$H/.skills.openab-lock"
no_links() {
  for p in "$S" "$D" "$D/scripts" "$D/SKILL.md" "$D/$1"; do [ -L "$p" ] && fail symlink 22; done
  return 0
}
cur() { if [ -f "$D/$1" ]; then digest < "$D/$1"; else echo missing; fi; }
