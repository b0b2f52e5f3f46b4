// The pod programs as files and as the strings that travel: the generated module is what the
// files say now, the frames reader reads what the programs print, and the constants the
// dashboard and the programs share agree.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, podProgramsModule } from '../../scripts/pod-programs';
import { NODE_PROGRAMS, SHELL_PROGRAMS } from './programs.generated';
import { FrameReader, parseFrames, type Frame } from './frames';
import { invocation } from './invocation';
import { cannotRun, podErrorCode, podErrorWords } from './errors';
import { PAGE_ENTRY, MARKS_FILE } from '../images/pod-scripts';
import { LOGIN_BASE, RUNNER_NAME } from '../login/scripts';
import { OPENAB_CONFIG_PATH } from '../readiness/pod-facts';
import { MAX_MANAGED_FILE } from '../skills/pod-scripts';
import { STABLE_DIR } from '../readiness/stable-image';

describe('the generated module', () => {
  it('is what lib/pod/programs/ holds now (run `npm run pod-programs` after editing a program)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(podProgramsModule());
  });

  it('has every part inlined: no program sources another file or requires one of ours', () => {
    for (const text of Object.values(SHELL_PROGRAMS)) expect(text).not.toMatch(/^\. /m);
    for (const text of Object.values(NODE_PROGRAMS)) expect(text).not.toMatch(/require\("\.\//);
  });

  it('holds the constants the dashboard reads the programs with', () => {
    expect(NODE_PROGRAMS.transfer).toContain(JSON.stringify(PAGE_ENTRY));
    expect(NODE_PROGRAMS.inventory).toContain(`"/${MARKS_FILE}"`);
    expect(NODE_PROGRAMS.marks).toContain(`"${MARKS_FILE.split('/').join('", "')}"`);
    for (const name of ['login-start', 'login-read', 'login-cancel', 'login-claim'] as const) expect(SHELL_PROGRAMS[name]).toContain(`base=${LOGIN_BASE}\n`);
    expect(SHELL_PROGRAMS['login-start']).toContain(`"$runner" ${RUNNER_NAME} "$d"`);
    expect(SHELL_PROGRAMS['pod-facts']).toContain(OPENAB_CONFIG_PATH);
    expect(SHELL_PROGRAMS['skill-read']).toContain(`-gt ${MAX_MANAGED_FILE}`);
    expect(SHELL_PROGRAMS['stable-copy']).toContain(`/${STABLE_DIR}"`);
  });
});

describe('frames', () => {
  const N = 'feedc0de12345678';
  it('are read the same whole or in pieces, bodies byte-exact, with or without a final newline', () => {
    const out = Buffer.from(`noise\n@@${N}@@ home\n/h\n@@${N}@@ file a\nx\r\n\n\n@@${N}@@ empty\n\n@@${N}@@ last\ntail`);
    const whole = parseFrames(out, N);
    expect(whole.map((f) => [f.head, f.body.toString()])).toEqual([
      ['home', '/h'],
      ['file a', 'x\r\n\n'],
      ['empty', ''],
      ['last', 'tail'],
    ]);
    for (const size of [1, 3, 7]) {
      const frames: Frame[] = [];
      const reader = new FrameReader(N, { frame: (head, body) => frames.push({ head, body }) });
      for (let i = 0; i < out.length; i += size) reader.write(out.subarray(i, i + size));
      reader.end();
      expect(frames).toEqual(whole);
    }
  });

  it('are not forged by a file that prints another nonce or a marker inside a line', () => {
    const frames = parseFrames(`\n@@${N}@@ config\n@@0000@@ end\nx @@${N}@@ end\n@@${N}@@X end\n`, N);
    expect(frames.map((f) => f.head)).toEqual(['config']);
  });

  it('come from a real shell program, its values as arguments', () => {
    const { argv, nonce } = invocation('login-claim', ['no-such-login', 'recorded', 'x; rm -rf ~']);
    const r = spawnSync('/bin/sh', argv.slice(1), { encoding: 'utf8' });
    expect(parseFrames(r.stdout, nonce).map((f) => f.head)).toEqual(['gone']);
  });
});

describe('pod error codes', () => {
  const subject = { what: 'config.toml', where: "The agent's Codex home" };
  it('have plain words, the same for every program', () => {
    expect(podErrorWords(podErrorCode('E busy'), subject)).toMatch(/^Another change to config\.toml .* still running/);
    expect(podErrorWords(podErrorCode('E readonly'), subject)).toMatch(/read-only.*nothing was changed/);
    expect(podErrorWords(podErrorCode('E nodir'), subject)).toBe(podErrorWords('readonly', subject));
    expect(podErrorWords(podErrorCode('OK abc'), subject)).toBeNull();
    expect(podErrorWords('conflict', subject)).toBeNull();
    expect(podErrorWords('constructor', subject)).toBeNull();
  });
  it('tell a missing shell or node from a failing program', () => {
    expect(cannotRun({ exitCode: 127, stderr: '' })).toMatch(/no shell/);
    expect(cannotRun({ exitCode: 1, stderr: 'sh: 1: node: not found' }, 'node')).toMatch(/node is not installed/);
    expect(cannotRun({ exitCode: 1, stderr: 'boom' })).toBeNull();
  });
});
