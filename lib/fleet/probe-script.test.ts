// Runs the probe's fixed script for real with sh, node and the real Codex CLI on a temporary
// Codex home, the way it runs inside an agent's pod.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROBE_NODE, splitProbeOutput } from './probe-script';
import { invocation } from '../pod/invocation';
import { parseFrames } from '../pod/frames';
import { interpretProbe } from './probe';

const home = mkdtempSync(path.join(tmpdir(), 'probe-home-'));
const codexBin = path.resolve(__dirname, '../../node_modules/.bin');
const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
const SECRET_ACCESS = jwt({ exp: Math.floor(Date.now() / 1000) + 3 * 86400, marker: 'ACCESS-TOKEN-MARKER-7f3a' });
const SECRET_REFRESH = 'REFRESH-TOKEN-MARKER-91bc';

/** The probe's cache (a pod's /tmp, which dies with the pod): one per test file, or per call. */
const podTmp = mkdtempSync(path.join(tmpdir(), 'probe-tmp-'));

function runProbe(prev = '', nonce = 'abc123', opts: { bin?: string; tmp?: string } = {}) {
  const [sh, ...args] = invocation('probe', [prev, PROBE_NODE], { nonce }).argv;
  const r = spawnSync(sh, args, {
    env: { PATH: `${opts.bin ?? codexBin}:${process.env.PATH}`, HOME: home, TMPDIR: opts.tmp ?? podTmp } as unknown as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return { ...r, sections: splitProbeOutput(parseFrames(r.stdout, nonce)) };
}

/**
 * A stand-in Codex installed the way `npm install -g` lays it out (a launcher under
 * lib/node_modules, bin/codex a symlink to it), whose package.json and `--version` disagree,
 * so a test can tell which one the probe asked; `wrapped` puts a script in front, as an image
 * may do.
 */
function fakeCodexInstall(opts: { wrapped: boolean }): string {
  const prefix = mkdtempSync(path.join(tmpdir(), 'probe-codex-'));
  const pkg = path.join(prefix, 'lib/node_modules/@openai/codex');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  mkdirSync(path.join(prefix, 'bin'));
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@openai/codex', version: '1.2.3' }, null, 2));
  const launcher = path.join(pkg, 'bin/codex.js');
  writeFileSync(launcher, '#!/bin/sh\n[ "$1" = --version ] && { echo "codex-cli 9.9.9"; exit 0; }\necho "unsupported here" >&2; exit 2\n');
  chmodSync(launcher, 0o755);
  if (opts.wrapped) {
    writeFileSync(path.join(prefix, 'bin/codex'), `#!/bin/sh\nexec '${launcher}' "$@"\n`);
    chmodSync(path.join(prefix, 'bin/codex'), 0o755);
  } else symlinkSync('../lib/node_modules/@openai/codex/bin/codex.js', path.join(prefix, 'bin/codex'));
  return prefix;
}

afterAll(() => {
  for (const dir of [home, podTmp]) rmSync(dir, { recursive: true, force: true });
});

describe('the probe script', () => {
  mkdirSync(path.join(home, '.codex/generated_images/thread-1'), { recursive: true });
  writeFileSync(path.join(home, '.codex/generated_images/thread-1/call_1.png'), Buffer.alloc(1234));
  writeFileSync(path.join(home, '.codex/generated_images/thread-1/call_2.png'), Buffer.alloc(66));
  writeFileSync(
    path.join(home, '.codex/auth.json'),
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: {
        id_token: jwt({
          email: 'ada@example.com',
          'https://api.openai.com/auth': { chatgpt_plan_type: 'pro', chatgpt_account_id: 'acc-1' },
        }),
        access_token: SECRET_ACCESS,
        refresh_token: SECRET_REFRESH,
        account_id: 'acc-1',
      },
      last_refresh: new Date().toISOString(),
    }),
  );
  writeFileSync(
    path.join(home, '.codex/config.toml'),
    '# ops\napproval_policy = "on-request"\napprovals_reviewer = "auto_review"\n\n[features]\nimage_generation = false\n',
  );

  it('reports login, approval, features, images and version, and no token byte', () => {
    const { stdout, sections } = runProbe();
    expect(sections.complete).toBe(true);
    expect(stdout).not.toContain('ACCESS-TOKEN-MARKER');
    expect(stdout).not.toContain(SECRET_REFRESH);
    expect(stdout).not.toContain(SECRET_ACCESS.split('.')[1]);
    const probe = interpretProbe(sections, new Date());
    expect(probe.login).toMatchObject({ kind: 'chatgpt', email: 'ada@example.com', plan: 'pro', expiry: 'ok' });
    expect(probe.approval).toMatchObject({ ok: true, mode: 'auto-review' });
    expect(probe.imageGeneration).toBe(false);
    expect(probe.features!.length).toBeGreaterThan(100);
    expect(probe.images).toEqual({ count: 2, bytes: 1300 });
    expect(probe.codexVersion).toBe('0.169.0');
    expect(probe.codexHome).toBe(path.join(home, '.codex'));
  });

  it('reads the version of an npm-installed Codex from its package.json, and asks any other codex', () => {
    for (const wrapped of [false, true]) {
      const prefix = fakeCodexInstall({ wrapped });
      const tmp = mkdtempSync(path.join(tmpdir(), 'probe-tmp-'));
      try {
        const probe = interpretProbe(runProbe('', 'abc123', { bin: path.join(prefix, 'bin'), tmp }).sections, new Date());
        expect(probe.codexVersion).toBe(wrapped ? '9.9.9' : '1.2.3');
      } finally {
        for (const dir of [prefix, tmp]) rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('answers "unchanged" from stat alone when nothing changed, and notices a change', () => {
    const first = runProbe();
    const again = runProbe(first.sections.fingerprint);
    expect(again.sections.unchanged).toBe(true);
    expect(again.stdout).not.toContain('@@abc123@@ facts');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(home, '.codex/config.toml'), later, later);
    const changed = runProbe(first.sections.fingerprint);
    expect(changed.sections.unchanged).toBe(false);
    expect(changed.sections.fingerprint).not.toBe(first.sections.fingerprint);
  });

  it('shows Codex own error for a config.toml it cannot parse', () => {
    writeFileSync(path.join(home, '.codex/config.toml'), 'approval_policy = = "never"\n');
    const probe = interpretProbe(runProbe().sections, new Date());
    expect(probe.approval.ok).toBe(false);
    expect(probe.features).toBeNull();
    expect(probe.codexError).toMatch(/config/i);
  });

  it('keeps Codex reason and position but no line of config.toml (a token Codex quotes when it refuses the file)', () => {
    const token = 'ghp_PROBEMARKER4c1d9e';
    writeFileSync(
      path.join(home, '.codex/config.toml'),
      `model = "o3"\n[mcp_servers.gh]\ncommand = "x"\nenv = { GITHUB_PERSONAL_ACCESS_TOKEN = ${token} }\n`,
    );
    const { stdout } = runProbe();
    const probe = interpretProbe(splitProbeOutput(parseFrames(stdout, 'abc123')), new Date());
    expect(probe.features).toBeNull();
    expect(probe.codexError).toContain('config.toml line 4, column 40: string values must be quoted');
    expect(JSON.stringify(probe)).not.toMatch(/PROBEMARKER|GITHUB_PERSONAL|mcp_servers/);
  });

  it('cannot be fooled by a config.toml holding marker-like lines', () => {
    writeFileSync(path.join(home, '.codex/config.toml'), '# \n@@abc123@@ end\n@@xyz@@ fp forged\n');
    const { sections } = runProbe('', 'realnonce99');
    expect(sections.config).toContain('@@abc123@@ end');
    expect(sections.complete).toBe(true);
  });

  it('says not logged in without auth.json and works with no codex home at all', () => {
    rmSync(path.join(home, '.codex'), { recursive: true, force: true });
    const probe = interpretProbe(runProbe().sections, new Date());
    expect(probe.login.kind).toBe('not-logged-in');
    expect(probe.configPresent).toBe(false);
    expect(probe.images.count).toBe(0);
    expect(execFileSync('sh', ['-c', 'echo ok'], { encoding: 'utf8' }).trim()).toBe('ok');
  });
});
