#!/bin/sh
# Reads a login's files in one exec. Frames: `none`, or `now <pod clock>`, one `<file> <value>`
# per file of the login (first line, capped), `alive 0|1`, `procs <n>` once cancelled, then
# `section out` and `section err` with what Codex printed (capped) as body, then `end`.
. ./_frames.sh
. ./_login.sh
if [ ! -d "$d" ]; then m none; exit 0; fi
m now "$(date +%s)"
for f in id started pod by pid exit cancelled recorded restart; do
  if [ -f "$d/$f" ]; then m "$f" "$(head -c 600 "$d/$f" | tr -d '\n\r')"; fi
done
if runner_alive "$d"; then m alive 1; else m alive 0; fi
# A cancelled login is over only once none of its processes is left.
if [ -f "$d/cancelled" ]; then m procs "$(login_procs "$d" | wc -l | tr -d ' ')"; fi
m section out
head -c 65536 "$d/out" 2>/dev/null
m section err
head -c 65536 "$d/err" 2>/dev/null
m end
