// The device-login failure line of every field Codex version, captured from the real binaries
// (`codex login --device-auth --experimental_issuer URL` against an unreachable issuer, one
// answering 500 and one answering 404): "Error logging in with device code: ..." up to 0.137,
// "Error logging in: ..." from 0.169. The parser must read both the same way.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeviceLoginOutput, type DeviceLoginFailureKind } from './device-login';
import { codexErrorMessage } from './cli-output';

type Captured = { stdout: string; stderr: string; exitCode: number };
const CAPTURED = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/device-login-failures-by-version.json'), 'utf8')) as Record<
  string,
  Record<string, Captured>
>;

const KIND: Record<string, DeviceLoginFailureKind> = {
  unreachable: 'no-network',
  'not-enabled': 'device-login-disabled',
  'status-500': 'unknown',
};

describe('device-login failures across Codex versions', () => {
  it('holds both wordings', () => {
    expect(CAPTURED['0.137.0'].unreachable.stderr).toMatch(/^Error logging in with device code: /m);
    expect(CAPTURED['0.171.0'].unreachable.stderr).toMatch(/^Error logging in: error sending request/m);
  });

  for (const [version, cases] of Object.entries(CAPTURED)) {
    for (const [name, run] of Object.entries(cases)) {
      it(`${version}, ${name}: failed, classified, with Codex's own line`, () => {
        const line = run.stderr.split('\n').find((l) => l.startsWith('Error logging in'))!;
        // Codex's own line, through the one filter every Codex error takes (no URL or quoted text).
        const expected = { state: 'failed', failure: { kind: KIND[name], message: codexErrorMessage(line) } };
        expect(expected.failure.message).toMatch(/^Error logging in/);
        expect(expected.failure.message).not.toMatch(/https?:\/\//);
        expect(parseDeviceLoginOutput(run.stdout, run.stderr, run.exitCode)).toEqual(expected);
        // As the pod's log file holds it (both streams in one), before and after the exit code is
        // known. (There the issuer URL in the error line is also taken for a verification link,
        // on every version alike: link checks are another change's.)
        expect(parseDeviceLoginOutput(run.stdout + run.stderr, '', null)).toMatchObject(expected);
        expect(parseDeviceLoginOutput(run.stdout + run.stderr, '', run.exitCode)).toMatchObject(expected);
      });
    }
  }
});
