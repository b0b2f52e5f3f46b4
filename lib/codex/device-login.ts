/**
 * `codex login --device-auth`: what it printed so far, read into the state
 * the browser shows. Output may be partial (the process is still running and
 * its output file still growing), coloured, or worded a little differently
 * by a newer Codex.
 */
import { codexErrorMessage, stripAnsi } from './cli-output';

export type DeviceLoginFailureKind =
  'no-network' | 'device-login-disabled' | 'expired' | 'denied-or-bad-request' | 'codex-missing' | 'unknown';

export type DeviceLoginState = 'starting' | 'waiting' | 'succeeded' | 'failed';

export type DeviceLoginProgress = {
  verificationUrl?: string;
  userCode?: string;
  expiresInMinutes?: number;
  state: DeviceLoginState;
  failure?: { kind: DeviceLoginFailureKind; message: string };
};

/** Plain words for each failure, for the UI beside Codex's own message. */
export const DEVICE_LOGIN_FAILURE_TEXT: Readonly<Record<DeviceLoginFailureKind, string>> = {
  'no-network': 'The pod could not reach the login server (no network egress?).',
  'device-login-disabled': 'Device-code login is not enabled at the login server.',
  expired: 'The one-time code expired before it was approved. Start again.',
  'denied-or-bad-request': 'The login server refused the code (denied, or a bad request).',
  'codex-missing': 'Codex is not installed in this container.',
  unknown: 'The login failed.',
};

const MAX_MESSAGE = 400;

/** Where Codex signs in unless `--experimental_issuer` points it elsewhere. */
export const CODEX_DEFAULT_ISSUER = 'https://auth.openai.com';

export type VerificationUrlCheck = { ok: true } | { ok: false; reason: string };

/**
 * A sign-in link may be shown to an operator only when it is on the login
 * server's own origin (scheme, host and port of `issuer`): a compromised agent
 * prints whatever it likes, and a look-alike link would be a phishing page
 * delivered by the dashboard itself. The reason never repeats the link.
 */
export function checkVerificationUrl(url: string, issuer: string): VerificationUrlCheck {
  let trusted: URL;
  try {
    trusted = new URL(issuer);
  } catch {
    return {
      ok: false,
      reason: 'The dashboard has no valid login server configured (CODEX_LOGIN_ISSUER), so no sign-in link can be trusted.',
    };
  }
  let shown: URL;
  try {
    shown = new URL(url);
  } catch {
    return { ok: false, reason: 'The pod printed a sign-in link that is not a valid URL.' };
  }
  if (shown.username || shown.password || shown.origin !== trusted.origin) {
    return {
      ok: false,
      reason: `The pod printed a sign-in link that is not on the login server ${trusted.host}, so it is not shown (nor its code): do not sign in through it. The agent may be compromised; check its pod. If the agents really sign in elsewhere, set CODEX_LOGIN_ISSUER to that server.`,
    };
  }
  return { ok: true };
}

function isNoise(line: string): boolean {
  return /^WARNING: proceeding, even though we could not create PATH aliases/.test(line);
}

function findUrl(text: string): string | undefined {
  const candidates = text.match(/https?:\/\/[^\s"'<>`\]\x00-\x1f]+/g) ?? [];
  const valid = candidates
    .map((raw) => raw.replace(/[).,;:]+$/, ''))
    .filter((raw) => {
      if (raw.length > 500) return false;
      try {
        const url = new URL(raw);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    });
  return valid.find((url) => /\/device\b/.test(url)) ?? valid[0];
}

const CODE = /^[A-Z0-9]{2,16}(?:-[A-Z0-9]{2,16}){1,4}$/;

function findUserCode(lines: string[]): string | undefined {
  const intro = lines.findIndex((line) => /one-time code|enter (this|the) code|user code/i.test(line));
  if (intro >= 0) {
    // Usually on the next line; tolerate it on the same line after a colon.
    const sameLine = /code[^:]*:\s*([A-Za-z0-9-]{4,40})(?:\s|$)/i.exec(lines[intro]);
    if (sameLine && CODE.test(sameLine[1].toUpperCase())) return sameLine[1];
    for (const line of lines.slice(intro + 1, intro + 4)) {
      const candidate = line.trim();
      if (candidate === '') continue;
      if (CODE.test(candidate) || /^[A-Za-z0-9-]{4,40}$/.test(candidate)) return candidate;
      break;
    }
  }
  return lines.map((line) => line.trim()).find((line) => CODE.test(line) && /\d|-/.test(line));
}

function classify(text: string, exitCode: number | null): DeviceLoginFailureKind {
  if (
    exitCode === 127 ||
    /codex: (command )?not found|command not found|codex: No such file or directory|exec: "?codex"?: .*not found/i.test(text)
  ) {
    return 'codex-missing';
  }
  if (/device (code )?(login|auth\w*) is not enabled|not enabled for this codex server/i.test(text)) return 'device-login-disabled';
  if (/device auth timed out|code (has )?expired|expired_token|timed out after \d+ minutes/i.test(text) || exitCode === 124)
    return 'expired';
  if (
    /error sending request|dns error|failed to lookup address|connection refused|network is unreachable|could not resolve|tls handshake|connect(ion)? timed out/i.test(
      text,
    )
  ) {
    return 'no-network';
  }
  if (/status 4\d\d|bad request|access[_ ]denied|denied|forbidden|unauthori[sz]ed/i.test(text)) return 'denied-or-bad-request';
  return 'unknown';
}

function failureLine(lines: string[]): string | undefined {
  const meaningful = lines.map((line) => line.trim()).filter((line) => line !== '' && !isNoise(line));
  return (
    meaningful.find((line) => /^error\b/i.test(line)) ??
    meaningful.find((line) => /timed out|failed|not enabled|not found|denied/i.test(line)) ??
    meaningful[meaningful.length - 1]
  );
}

/**
 * Reads the output so far. `exitCode` is null while the process runs.
 * Callers that capture both streams into one file may pass it all as
 * stdout: success and errors are looked for in both.
 */
export function parseDeviceLoginOutput(stdout: string, stderr: string, exitCode: number | null): DeviceLoginProgress {
  const out = stripAnsi(stdout ?? '').slice(0, 200_000);
  const err = stripAnsi(stderr ?? '').slice(0, 200_000);
  const outLines = out.split('\n');
  const errLines = err.split('\n');
  const progress: DeviceLoginProgress = { state: 'starting' };

  const url = findUrl(out);
  if (url) progress.verificationUrl = url;
  const code = findUserCode(outLines);
  if (code) progress.userCode = code;
  const expires = /expires in (\d{1,4}) ?(minutes?|mins?|m)\b/i.exec(out);
  if (expires) progress.expiresInMinutes = Number(expires[1]);

  const all = `${out}\n${err}`;
  if (/successfully logged in/i.test(all) && (exitCode === 0 || exitCode === null)) {
    progress.state = 'succeeded';
    return progress;
  }
  const errorSeen =
    errLines.some((line) => /^\s*error\b/i.test(line) || /device auth timed out/i.test(line)) ||
    outLines.some((line) => /^\s*error logging in\b/i.test(line) || /device auth timed out/i.test(line));
  if (exitCode === 0) {
    // Exit 0 without the success line: a newer wording; trust the exit code.
    progress.state = 'succeeded';
    return progress;
  }
  if (exitCode !== null || errorSeen) {
    const kind = classify(all, exitCode);
    const line = failureLine(errLines) ?? failureLine(outLines.filter((l) => /error|timed out|failed|not found/i.test(l)));
    let message =
      (line && codexErrorMessage(line)) ??
      (exitCode === 124 ? 'device auth timed out' : exitCode === null ? 'Login failed.' : `codex exited with code ${exitCode}`);
    if (message.length > MAX_MESSAGE) message = message.slice(0, MAX_MESSAGE) + '…';
    progress.state = 'failed';
    progress.failure = { kind, message };
    return progress;
  }
  if (progress.userCode && progress.verificationUrl) progress.state = 'waiting';
  return progress;
}
