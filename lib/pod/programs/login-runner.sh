#!/bin/sh
# Runs `codex login --device-auth` detached, in its own session, under the name
# openab-device-login (RUNNER_NAME). Its stdio is redirected, so the exec that started it can
# end at once. $1 is the login's directory.
d=$1
echo $$ > "$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
if [ -f "$d/cancelled" ]; then exit 0; fi
if command -v timeout >/dev/null 2>&1; then
  timeout 900 codex login --device-auth >"$d/out" 2>"$d/err" </dev/null
else
  codex login --device-auth >"$d/out" 2>"$d/err" </dev/null
fi
echo $? > "$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"
