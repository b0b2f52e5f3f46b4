#!/bin/sh
# Stops the login with id $1: TERM to every process of its session, KILL after 3 s, then any
# stray `codex login --device-auth` too. Last frame: `none`, `other`, `finished`, or
# `cancelled <left>` (processes still there).
. ./_frames.sh
. ./_login.sh
if [ ! -d "$d" ]; then m none; exit 0; fi
if [ "$(cat "$d/id" 2>/dev/null)" != "$1" ]; then m other; exit 0; fi
# Once cancelled, it stays cancelled: the runner may still write the exit code of the Codex
# it was waiting on before the signal reached the runner itself.
if [ -f "$d/exit" ] && [ ! -f "$d/cancelled" ]; then m finished; exit 0; fi
[ -f "$d/cancelled" ] || date +%s > "$d/cancelled"
# TERM, up to 3 s to stop, then KILL and up to 2 s more for the kernel to take them.
pids=$(login_procs "$d")
# shellcheck disable=SC2086 # one argument per pid
[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
i=0
while [ $i -lt 50 ]; do
  pids=$(login_procs "$d")
  [ -z "$pids" ] && break
  # shellcheck disable=SC2086 # one argument per pid
  [ $i -ge 30 ] && kill -KILL $pids 2>/dev/null
  sleep 0.1 2>/dev/null || sleep 1
  i=$((i + 1))
done
m cancelled "$(login_procs "$d" | wc -l | tr -d ' ')"
