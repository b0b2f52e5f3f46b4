// The pod programs as files and as the strings that travel: the generated module is what the
// files say now, the frames reader reads what the programs print, and the constants the
// dashboard and the programs share agree.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, podProgramsModule } from '../../scripts/pod-programs';
import { NODE_PROGRAMS, SHELL_PROGRAMS, SKILL_FILES } from './programs.generated';
import { FrameReader, parseFrames, type Frame } from './frames';
import { invocation } from './invocation';
import { cannotRun, podErrorCode, podErrorWords } from './errors';
import { PAGE_ENTRY, MARKS_FILE } from '../images/pod-scripts';
import { LOGIN_BASE, RUNNER_NAME } from '../login/scripts';
import { OPENAB_CONFIG_PATH } from '../readiness/pod-facts';
import { MAX_MANAGED_FILE } from '../skills/pod-scripts';
import { STABLE_DIR } from '../readiness/stable-image';
import { STABLE_IMAGES_DIR } from '../skills/delivery-skill';
import { ROLLOUT_PATH } from '../images/conversation';

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
    for (const name of ['login-start', 'login-read', 'login-cancel', 'login-claim'] as const)
      expect(SHELL_PROGRAMS[name]).toContain(`base=${LOGIN_BASE}\n`);
    expect(SHELL_PROGRAMS['login-start']).toContain(`"$runner" ${RUNNER_NAME} "$d"`);
    expect(SHELL_PROGRAMS['pod-facts']).toContain(OPENAB_CONFIG_PATH);
    expect(SHELL_PROGRAMS['skill-read']).toContain(`-gt ${MAX_MANAGED_FILE}`);
    expect(SHELL_PROGRAMS['stable-copy']).toContain(`/${STABLE_DIR}"`);
    // The delivery skill's stable copies: listed and sent from the folder its script copies to.
    for (const name of ['inventory', 'transfer'] as const) expect(NODE_PROGRAMS[name]).toContain(`"/${STABLE_IMAGES_DIR}"`);
    expect(SKILL_FILES['send-discord-image']).toContain(`/${STABLE_IMAGES_DIR}}/$dir"`);
    expect(NODE_PROGRAMS.conversation).toContain(`${ROLLOUT_PATH.toString()}.test(REL)`);
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

describe('node programs, run here as in a pod', () => {
  const png = Buffer.concat([
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    Buffer.from([0, 0, 0, 3, 0, 0, 0, 2]),
    Buffer.alloc(40),
  ]);
  function run(name: 'inventory' | 'conversation', args: string[], home: string) {
    const { argv, stdin, nonce } = invocation(name, args);
    const r = spawnSync('/bin/sh', argv.slice(1), {
      input: stdin,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CODEX_HOME: `${home}/.codex` } as unknown as NodeJS.ProcessEnv,
    });
    return parseFrames(r.stdout, nonce);
  }
  function withHome(fn: (home: string) => void) {
    const home = mkdtempSync(path.join(tmpdir(), 'pod-programs-'));
    try {
      fn(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }

  it('the listing names the stable copies apart from generated_images, in the same exec', () => {
    withHome((home) => {
      for (const dir of [`${home}/.codex/generated_images/t1`, `${home}/${STABLE_IMAGES_DIR}/t1`, `${home}/${STABLE_IMAGES_DIR}/t2`])
        mkdirSync(dir, { recursive: true });
      writeFileSync(`${home}/.codex/generated_images/t1/a.png`, png);
      writeFileSync(`${home}/${STABLE_IMAGES_DIR}/t1/a.png`, png);
      writeFileSync(`${home}/${STABLE_IMAGES_DIR}/t2/b.png`, png);
      writeFileSync(`${home}/${STABLE_IMAGES_DIR}/t2/notes.png`, 'not an image');
      const kinds = run('inventory', [], home).map((f) => [
        f.head.split(' ')[0],
        (JSON.parse(f.head.slice(f.head.indexOf(' ') + 1)) as { p?: string; w?: number }).p,
      ]);
      expect(kinds.filter(([k]) => k === 'image' || k === 'stable' || k === 'stray')).toEqual([
        ['image', 't1/a.png'],
        ['stable', 't1/a.png'],
        ['stable', 't2/b.png'],
      ]);
      expect(kinds.at(-1)).toEqual(['end', undefined]);
    });
  });

  it('the conversation reader sends a rollout without what the view never shows, and says when it is gone', () => {
    withHome((home) => {
      const rel = '2026/12/06/rollout-x.jsonl';
      mkdirSync(path.dirname(`${home}/.codex/sessions/${rel}`), { recursive: true });
      const big = JSON.stringify({
        type: 'response_item',
        payload: { type: 'image_generation_call', result: 'A'.repeat(100_000), revised_prompt: 'kept' },
      });
      writeFileSync(
        `${home}/.codex/sessions/${rel}`,
        ['{"type":"turn_context","payload":{}}', '{"type":"event_msg","payload":{"type":"user_message","message":"hi"}}', big].join('\n'),
      );
      const frames = run('conversation', [rel], home);
      expect(frames.map((f) => f.head)).toEqual(['rollout', 'end']);
      const lines = frames[0].body.toString('utf8').split('\n').filter(Boolean);
      expect(lines).toEqual([
        '{"type":"event_msg","payload":{"type":"user_message","message":"hi"}}',
        JSON.stringify({ type: 'response_item', payload: { type: 'image_generation_call', revised_prompt: 'kept' } }),
      ]);
      expect(run('conversation', ['2026/12/06/rollout-y.jsonl'], home).map((f) => f.head)).toEqual(['gone', 'end']);
      expect(run('conversation', ['../../auth.json'], home).map((f) => f.head)).toEqual(['E badpath']);
    });
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
