/**
 * The device login's pod programs (lib/pod/programs/login-*.sh) drive
 * `codex login --device-auth` in an agent pod. Every value arrives as a
 * positional argument ("$1"...), never spliced into the program text.
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

import { SHELL_PROGRAMS } from '../pod/programs.generated';

/** Where the login programs keep a login in the pod (_login.sh says it too). */
export const LOGIN_BASE = '/tmp/openab-dashboard/login';

/** The runner's $0: how the programs recognise a login's own processes in /proc. */
export const RUNNER_NAME = 'openab-device-login';

/** login-runner.sh: login-start starts it detached, in its own session, as RUNNER_NAME. */
export const RUNNER_PROGRAM = SHELL_PROGRAMS['login-runner'];
