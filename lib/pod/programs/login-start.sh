#!/bin/sh
# Starts a login unless one is under way. Last frame: `started`, `existing` (a login is running
# or still launching: the caller reads it), `busy` (the start lock stayed taken) or
# `error <why>`. $1 id, $2 pod uid, $3 who (JSON), $4 the program login-runner.
. ./_frames.sh
. ./_login.sh
id=$1 pod=$2 by=$3 runner=$4
mkdir -p "$base" 2>/dev/null || { m error "cannot create $base"; exit 0; }
lock="$base/lock"
tries=0
until mkdir "$lock" 2>/dev/null; do
  tries=$((tries + 1))
  at=$(cat "$lock/at" 2>/dev/null || echo 0)
  case "$at" in ''|*[!0-9]*) at=0 ;; esac
  # A start that died holding the lock (the exec was cut): break it.
  if [ $(( $(date +%s) - at )) -gt 20 ] && [ "$at" != 0 ]; then rm -rf "$lock"; continue; fi
  if [ "$tries" -ge 100 ]; then m busy; exit 0; fi
  sleep 0.1 2>/dev/null || sleep 1
done
date +%s > "$lock/at"
trap 'rm -rf "$lock"' EXIT
if [ -d "$d" ]; then
  if [ ! -f "$d/exit" ] && [ ! -f "$d/cancelled" ]; then
    if runner_alive "$d"; then m existing; exit 0; fi
    st=$(cat "$d/started" 2>/dev/null || echo 0)
    case "$st" in ''|*[!0-9]*) st=0 ;; esac
    # Launched a moment ago; its runner has not written its pid yet.
    if [ ! -f "$d/pid" ] && [ $(( $(date +%s) - st )) -lt 30 ]; then m existing; exit 0; fi
  fi
  old="$base/old.$$"
  rm -rf "$old"
  mv "$d" "$old" && rm -rf "$old"
fi
mkdir "$d" || { m error "cannot create $d"; exit 0; }
printf '%s\n' "$id" > "$d/id"
printf '%s\n' "$pod" > "$d/pod"
printf '%s\n' "$by" > "$d/by"
date +%s > "$d/started"
if ! command -v codex >/dev/null 2>&1; then
  echo "codex: command not found" > "$d/err"
  : > "$d/out"
  echo 127 > "$d/exit"
  m started
  exit 0
fi
if command -v setsid >/dev/null 2>&1; then
  setsid sh -c "$runner" openab-device-login "$d" </dev/null >/dev/null 2>&1 &
elif command -v node >/dev/null 2>&1; then
  node -e 'require("child_process").spawn("sh", ["-c", process.argv[1], "openab-device-login", process.argv[2]], { detached: true, stdio: "ignore" }).unref()' "$runner" "$d" </dev/null >/dev/null 2>&1
else
  m error "the container has neither setsid nor node to run the login in the background"
  rm -rf "$d"
  exit 0
fi
m started
