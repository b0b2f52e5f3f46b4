#!/bin/sh
# What the device-login programs share: where a login lives in the pod (LOGIN_BASE), whether its
# runner is alive, and the processes of its session. See lib/login/scripts.ts for the files.
# shellcheck disable=SC2034 # d is read by the programs that include this file.
umask 077
base=/tmp/openab-dashboard/login
d="$base/active"
runner_alive() {
  p=$(cat "$1/pid" 2>/dev/null) || return 1
  case "$p" in ''|*[!0-9]*) return 1 ;; esac
  [ -r "/proc/$p/cmdline" ] || return 1
  tr '\000' '\n' < "/proc/$p/cmdline" 2>/dev/null | grep -qx openab-device-login
}
session_members() {
  want=$1
  for s in /proc/[0-9]*/stat; do
    line=$(cat "$s" 2>/dev/null) || continue
    rest=${line##*) }
    set -f
    # shellcheck disable=SC2086 # split into the fields of stat on purpose
    set -- $rest
    set +f
    # A zombie is already dead (only its parent's wait is missing): not a member.
    if [ "${4:-}" = "$want" ] && [ "${1:-}" != Z ]; then p=${s#/proc/}; echo "${p%/stat}"; fi
  done
}
# Whole argv words only: our own scripts mention these words inside longer arguments.
device_logins() {
  for c in /proc/[0-9]*/cmdline; do
    args=$(tr '\000' '\n' < "$c" 2>/dev/null) || continue
    if printf '%s\n' "$args" | grep -qx login && printf '%s\n' "$args" | grep -qx -e --device-auth; then
      p=${c#/proc/}; echo "${p%/cmdline}"
    fi
  done
}
# Every live process of the login in $1 (its runner's session), and any stray device login.
login_procs() {
  sid=$(cat "$1/pid" 2>/dev/null || true)
  case "$sid" in ''|*[!0-9]*) sid= ;; esac
  { if [ -n "$sid" ]; then session_members "$sid"; fi; device_logins; } | sort -u
}
