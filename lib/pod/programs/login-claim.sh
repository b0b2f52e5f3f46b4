#!/bin/sh
# Claims a one-time step ($2: recorded | restart) of login $1 with an atomic mkdir, writing $3
# beside it. Last frame: `claimed`, `taken` or `gone`.
. ./_frames.sh
. ./_login.sh
if [ ! -d "$d" ] || [ "$(cat "$d/id" 2>/dev/null)" != "$1" ]; then m gone; exit 0; fi
case "$2" in recorded|restart) ;; *) m gone; exit 0 ;; esac
if mkdir "$d/$2.claim" 2>/dev/null; then printf '%s\n' "$3" > "$d/$2"; m claimed; else m taken; fi
