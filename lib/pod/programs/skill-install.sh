#!/bin/sh
# Installs a skill, compare-and-swap under a lock. $1 = folder name; $2 = its script's path in
# it (under scripts/); $3, $4 = the sha256 (or "missing") SKILL.md and the script must still
# have; $5, $6, $7 = byte sizes of the new SKILL.md, script and record, which arrive
# concatenated on stdin. A new folder is built beside the skills and renamed into place; an
# existing one gets each file renamed over (SKILL.md after the script, the record last).
# Last frame: `OK` or `E <code>`.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
. ./_skills.sh
X="$2"
case $X in scripts/*/*|scripts/.*) fail badpath 26 ;; scripts/?*) ;; *) fail badpath 26 ;; esac
T="$S/.openab-new.$$"
lock_dir "$S" "$L"
trap 'rm -rf "$T"; rmdir "$L" 2>/dev/null' EXIT
no_links "$X"
{ [ "$(cur SKILL.md)" = "$3" ] && [ "$(cur "$X")" = "$4" ]; } || fail conflict 23
mkdir -p "$T/scripts" 2>/dev/null || fail write 24
cat > "$T/.all" 2>/dev/null || fail write 24
[ "$(wc -c < "$T/.all" | tr -d ' ')" = "$(( $5 + $6 + $7 ))" ] || fail short 24
{ head -c "$5" "$T/.all" > "$T/SKILL.md" &&
  tail -c +"$(( $5 + 1 ))" "$T/.all" | head -c "$6" > "$T/$X" &&
  tail -c +"$(( $5 + $6 + 1 ))" "$T/.all" > "$T/.openab-dashboard.json" &&
  rm -f "$T/.all" && chmod 755 "$T" "$T/scripts" "$T/$X" && chmod 644 "$T/SKILL.md" "$T/.openab-dashboard.json"; } 2>/dev/null || fail write 24
if [ ! -e "$D" ]; then
  mv "$T" "$D" 2>/dev/null || fail rename 25
else
  mkdir -p "$D/scripts" 2>/dev/null || fail write 24
  for f in "$X" SKILL.md .openab-dashboard.json; do mv -f "$T/$f" "$D/$f" 2>/dev/null || fail rename 25; done
fi
m OK
