/**
 * The fixed POSIX sh scripts the dashboard runs in an agent pod to drive
 * `codex login --device-auth`. Every value arrives as a positional argument
 * ("$1"...), never spliced into the script text.
 *
 * The login's state lives in the pod (LOGIN_DIR/active/...), not in the
 * dashboard, so it survives page reloads, dashboard restarts and replicas:
 *   id        the login's id (hex, chosen by the dashboard)
 *   started   pod clock, seconds since the epoch, when the login was created
 *   pod       the pod uid the dashboard saw when it started the login
 *   by        who started it (JSON: name, email, role; no secret)
 *   pid       the runner's pid; the runner leads its own session, so every
 *             process of the login (timeout, node launcher, native codex)
 *             shares that session id even if `timeout` moved them to
 *             another process group
 *   out, err  what Codex printed
 *   exit      Codex's exit code (124: timeout expired, 127: codex missing)
 *   cancelled pod clock when someone cancelled it (its processes may still
 *             be stopping: the read script then counts them, `procs`)
 *   recorded, restart   claims (mkdir, so only one dashboard replica acts)
 */

export const LOGIN_BASE = '/tmp/openab-dashboard/login';

/** The runner's $0: how the scripts recognise a login's own processes in /proc. */
export const RUNNER_NAME = 'openab-device-login';

/**
 * Runs detached, in its own session. Its stdio is redirected, so the exec
 * that started it can end at once. `$1` is the login's directory.
 */
export const RUNNER_SCRIPT = `d=$1
echo $$ > "$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
if [ -f "$d/cancelled" ]; then exit 0; fi
if command -v timeout >/dev/null 2>&1; then
  timeout 900 codex login --device-auth >"$d/out" 2>"$d/err" </dev/null
else
  codex login --device-auth >"$d/out" 2>"$d/err" </dev/null
fi
echo $? > "$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"
`;

/** Shared shell functions: is the login's runner alive, and the pids of its session. */
const COMMON = `set -u
umask 077
base=${LOGIN_BASE}
d="$base/active"
runner_alive() {
  p=$(cat "$1/pid" 2>/dev/null) || return 1
  case "$p" in ''|*[!0-9]*) return 1 ;; esac
  [ -r "/proc/$p/cmdline" ] || return 1
  tr '\\000' '\\n' < "/proc/$p/cmdline" 2>/dev/null | grep -qx ${RUNNER_NAME}
}
session_members() {
  want=$1
  for s in /proc/[0-9]*/stat; do
    line=$(cat "$s" 2>/dev/null) || continue
    rest=\${line##*) }
    set -f
    set -- $rest
    set +f
    # A zombie is already dead (only its parent's wait is missing): not a member.
    if [ "\${4:-}" = "$want" ] && [ "\${1:-}" != Z ]; then p=\${s#/proc/}; echo "\${p%/stat}"; fi
  done
}
# Whole argv words only: our own scripts mention these words inside longer arguments.
device_logins() {
  for c in /proc/[0-9]*/cmdline; do
    args=$(tr '\\000' '\\n' < "$c" 2>/dev/null) || continue
    if printf '%s\\n' "$args" | grep -qx login && printf '%s\\n' "$args" | grep -qx -e --device-auth; then
      p=\${c#/proc/}; echo "\${p%/cmdline}"
    fi
  done
}
# Every live process of the login in $1 (its runner's session), and any stray device login.
login_procs() {
  sid=$(cat "$1/pid" 2>/dev/null || true)
  case "$sid" in ''|*[!0-9]*) sid= ;; esac
  { if [ -n "$sid" ]; then session_members "$sid"; fi; device_logins; } | sort -u
}
`;

/**
 * Starts a login unless one is under way. Prints one line: `started`,
 * `existing` (a login is running or still launching: the caller reads it),
 * `busy` (the start lock stayed taken) or `error <why>`.
 * $1 id, $2 pod uid, $3 who (JSON), $4 the runner script.
 */
export const START_SCRIPT = `${COMMON}
id=$1 pod=$2 by=$3 runner=$4
mkdir -p "$base" 2>/dev/null || { echo "error cannot create $base"; exit 0; }
lock="$base/lock"
tries=0
until mkdir "$lock" 2>/dev/null; do
  tries=$((tries + 1))
  at=$(cat "$lock/at" 2>/dev/null || echo 0)
  case "$at" in ''|*[!0-9]*) at=0 ;; esac
  # A start that died holding the lock (the exec was cut): break it.
  if [ $(( $(date +%s) - at )) -gt 20 ] && [ "$at" != 0 ]; then rm -rf "$lock"; continue; fi
  if [ "$tries" -ge 100 ]; then echo busy; exit 0; fi
  sleep 0.1 2>/dev/null || sleep 1
done
date +%s > "$lock/at"
trap 'rm -rf "$lock"' EXIT
if [ -d "$d" ]; then
  if [ ! -f "$d/exit" ] && [ ! -f "$d/cancelled" ]; then
    if runner_alive "$d"; then echo existing; exit 0; fi
    st=$(cat "$d/started" 2>/dev/null || echo 0)
    case "$st" in ''|*[!0-9]*) st=0 ;; esac
    # Launched a moment ago; its runner has not written its pid yet.
    if [ ! -f "$d/pid" ] && [ $(( $(date +%s) - st )) -lt 30 ]; then echo existing; exit 0; fi
  fi
  old="$base/old.$$"
  rm -rf "$old"
  mv "$d" "$old" && rm -rf "$old"
fi
mkdir "$d" || { echo "error cannot create $d"; exit 0; }
printf '%s\\n' "$id" > "$d/id"
printf '%s\\n' "$pod" > "$d/pod"
printf '%s\\n' "$by" > "$d/by"
date +%s > "$d/started"
if ! command -v codex >/dev/null 2>&1; then
  echo "codex: command not found" > "$d/err"
  : > "$d/out"
  echo 127 > "$d/exit"
  echo started
  exit 0
fi
if command -v setsid >/dev/null 2>&1; then
  setsid sh -c "$runner" ${RUNNER_NAME} "$d" </dev/null >/dev/null 2>&1 &
elif command -v node >/dev/null 2>&1; then
  node -e 'require("child_process").spawn("sh", ["-c", process.argv[1], "${RUNNER_NAME}", process.argv[2]], { detached: true, stdio: "ignore" }).unref()' "$runner" "$d" </dev/null >/dev/null 2>&1
else
  echo "error the container has neither setsid nor node to run the login in the background"
  rm -rf "$d"
  exit 0
fi
echo started
`;

/**
 * Prints the login's files, each field on a line starting with the nonce
 * ($1), the outputs as sections (capped), so one exec reads everything.
 */
export const READ_SCRIPT = `${COMMON}
n=$1
if [ ! -d "$d" ]; then echo "$n none"; exit 0; fi
echo "$n now $(date +%s)"
for f in id started pod by pid exit cancelled recorded restart; do
  if [ -f "$d/$f" ]; then printf '%s %s %s\\n' "$n" "$f" "$(head -c 600 "$d/$f" | tr -d '\\n\\r')"; fi
done
if runner_alive "$d"; then echo "$n alive 1"; else echo "$n alive 0"; fi
# A cancelled login is over only once none of its processes is left.
if [ -f "$d/cancelled" ]; then echo "$n procs $(login_procs "$d" | wc -l | tr -d ' ')"; fi
echo "$n section out"
head -c 65536 "$d/out" 2>/dev/null
echo
echo "$n section err"
head -c 65536 "$d/err" 2>/dev/null
echo
echo "$n end"
`;

/**
 * Stops the login with id $1: TERM to every process of its session, KILL
 * after 3 s, then any stray \`codex login --device-auth\` too. Prints
 * `none`, `other`, `finished`, or `cancelled <left>` (processes still there).
 */
export const CANCEL_SCRIPT = `${COMMON}
if [ ! -d "$d" ]; then echo none; exit 0; fi
if [ "$(cat "$d/id" 2>/dev/null)" != "$1" ]; then echo other; exit 0; fi
# Once cancelled, it stays cancelled: the runner may still write the exit code of the Codex
# it was waiting on before the signal reached the runner itself.
if [ -f "$d/exit" ] && [ ! -f "$d/cancelled" ]; then echo finished; exit 0; fi
[ -f "$d/cancelled" ] || date +%s > "$d/cancelled"
# TERM, up to 3 s to stop, then KILL and up to 2 s more for the kernel to take them.
pids=$(login_procs "$d")
[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
i=0
while [ $i -lt 50 ]; do
  pids=$(login_procs "$d")
  [ -z "$pids" ] && break
  [ $i -ge 30 ] && kill -KILL $pids 2>/dev/null
  sleep 0.1 2>/dev/null || sleep 1
  i=$((i + 1))
done
left=$(login_procs "$d" | wc -l | tr -d ' ')
echo "cancelled $left"
`;

/**
 * Claims a one-time step ($2: recorded | restart) of login $1 with an
 * atomic mkdir, writing $3 beside it. Prints `claimed`, `taken` or `gone`.
 */
export const CLAIM_SCRIPT = `${COMMON}
if [ ! -d "$d" ] || [ "$(cat "$d/id" 2>/dev/null)" != "$1" ]; then echo gone; exit 0; fi
case "$2" in recorded|restart) ;; *) echo gone; exit 0 ;; esac
if mkdir "$d/$2.claim" 2>/dev/null; then printf '%s\\n' "$3" > "$d/$2"; echo claimed; else echo taken; fi
`;
