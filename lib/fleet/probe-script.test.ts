// Runs the probe's fixed script for real with sh, node and the real Codex CLI on a temporary
// Codex home, the way it runs inside an agent's pod.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
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

function runProbe(prev = '', nonce = 'abc123') {
  const [sh, ...args] = invocation('probe', [prev, PROBE_NODE], { nonce }).argv;
  const r = spawnSync(sh, args, {
    env: { PATH: `${codexBin}:${process.env.PATH}`, HOME: home } as unknown as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return { ...r, sections: splitProbeOutput(parseFrames(r.stdout, nonce)) };
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

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
