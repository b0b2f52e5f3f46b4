#!/bin/sh
# Installs a skill, compare-and-swap under a lock. $1 = folder name; $2, $3 = the sha256 (or
# "missing") SKILL.md and scripts/upload.sh must still have; $4, $5, $6 = byte sizes of the new
# SKILL.md, upload.sh and record, which arrive concatenated on stdin. A new folder is built
# beside the skills and renamed into place; an existing one gets each file renamed over
# (SKILL.md after the script, the record last). Last frame: `OK` or `E <code>`.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
S="$H/skills"
D="$S/$1"; L="$H/.skills.openab-lock"; T="$S/.openab-new.$$"
lock_dir "$S" "$L"
trap 'rm -rf "$T"; rmdir "$L" 2>/dev/null' EXIT
for p in "$S" "$D" "$D/scripts" "$D/SKILL.md" "$D/scripts/upload.sh"; do [ -L "$p" ] && fail symlink 22; done
cur() { if [ -f "$D/$1" ]; then digest < "$D/$1"; else echo missing; fi; }
{ [ "$(cur SKILL.md)" = "$2" ] && [ "$(cur scripts/upload.sh)" = "$3" ]; } || fail conflict 23
mkdir -p "$T/scripts" 2>/dev/null || fail write 24
cat > "$T/.all" 2>/dev/null || fail write 24
[ "$(wc -c < "$T/.all" | tr -d ' ')" = "$(( $4 + $5 + $6 ))" ] || fail short 24
{ head -c "$4" "$T/.all" > "$T/SKILL.md" &&
  tail -c +"$(( $4 + 1 ))" "$T/.all" | head -c "$5" > "$T/scripts/upload.sh" &&
  tail -c +"$(( $4 + $5 + 1 ))" "$T/.all" > "$T/.openab-dashboard.json" &&
  rm -f "$T/.all" && chmod 755 "$T" "$T/scripts" "$T/scripts/upload.sh" && chmod 644 "$T/SKILL.md" "$T/.openab-dashboard.json"; } 2>/dev/null || fail write 24
if [ ! -e "$D" ]; then
  mv "$T" "$D" 2>/dev/null || fail rename 25
else
  mkdir -p "$D/scripts" 2>/dev/null || fail write 24
  for f in scripts/upload.sh SKILL.md .openab-dashboard.json; do mv -f "$T/$f" "$D/$f" 2>/dev/null || fail rename 25; done
fi
m OK
