#!/bin/sh
# Starts a node program in the Codex home: $1 = nice|plain, $2 = the program (the loader, which
# reads the real program from stdin), then its own arguments; the program's argv[1] is the
# Codex home. `nice`: at a lower CPU priority where the image has it, so the dashboard reading
# an agent's volume does not slow the agent's own work.
. ./_home.sh
how=$1
program=$2
shift 2
if [ "$how" = nice ] && command -v nice >/dev/null 2>&1; then exec nice -n 10 node -e "$program" "$H" "$@"; fi
exec node -e "$program" "$H" "$@"
