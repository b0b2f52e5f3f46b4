import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { parseConfigRead } from './pod-scripts';
import { parseFrames } from '../pod/frames';
import { SHELL_PROGRAMS } from '../pod/programs.generated';
import { agentRefSchema } from './agent-ref';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const N = '0123456789abcdef';
/** Output as config-read prints it: each frame's marker after a newline. */
const frames = (...parts: Array<[string, Buffer | string]>) =>
  parseFrames(Buffer.concat(parts.flatMap(([head, body]) => [Buffer.from(`\n@@${N}@@ ${head}\n`), Buffer.from(body)])), N);

describe('parseConfigRead', () => {
  it('splits the frames from the raw bytes, keeping a BOM and CRLF', () => {
    const body = Buffer.from('\ufeffa = 1\r\nb = "x"\r\n', 'utf8');
    expect(parseConfigRead(frames(['home', '/home/agent/.codex'], [`config ${sha(body)} ${body.length}`, body], ['end', '']))).toEqual({
      codexHome: '/home/agent/.codex',
      state: 'present',
      hash: sha(body),
      bytes: body,
    });
  });

  it('reads a missing, symlinked or oversized file as such', () => {
    expect(parseConfigRead(frames(['home', '/h'], ['config missing', ''], ['end', '']))).toMatchObject({
      state: 'missing',
      hash: 'missing',
    });
    expect(parseConfigRead(frames(['home', '/h'], ['config symlink', ''], ['end', '']))).toMatchObject({ state: 'symlink' });
    expect(parseConfigRead(frames(['home', '/h'], ['config toolarge 99999999', ''], ['end', '']))).toMatchObject({ state: 'toolarge' });
  });

  it('refuses output that was cut short or is not ours', () => {
    const body = Buffer.from('a = 1\n');
    expect(parseConfigRead(frames(['home', '/h'], [`config ${sha(body)} 10`, body], ['end', '']))).toBeNull();
    expect(parseConfigRead(frames(['home', '/h'], [`config ${sha(body)} ${body.length}`, body]))).toBeNull();
    expect(parseConfigRead(parseFrames('garbage', N))).toBeNull();
    expect(parseConfigRead(frames(['home', '/h'], ['config nothex 0', ''], ['end', '']))).toBeNull();
  });
});

describe('the config programs', () => {
  it('take every value as a positional argument, never spliced in', () => {
    for (const script of [SHELL_PROGRAMS['config-read'], SHELL_PROGRAMS['config-write'], SHELL_PROGRAMS['feature-toggle']]) {
      expect(script).not.toMatch(/\beval\b/);
      // Positional values are always quoted.
      expect(script.match(/\$[1-9]/g)?.length ?? 0).toBe(script.match(/"\$[1-9]"/g)?.length ?? 0);
    }
    expect(SHELL_PROGRAMS['feature-toggle']).toMatch(/codex features "\$1" "\$2"/);
  });
});

describe('agentRefSchema', () => {
  it('accepts a real agent address and refuses path tricks and controls', () => {
    expect(
      agentRefSchema.safeParse({ clusterId: 'dashboard@devcluster', namespace: 'team-b', name: 'team-b-openab-codex-2' }).success,
    ).toBe(true);
    for (const bad of [
      { clusterId: 'c', namespace: '../etc', name: 'x' },
      { clusterId: 'c', namespace: 'agents', name: 'X;rm' },
      { clusterId: 'c\n', namespace: 'agents', name: 'x' },
      { clusterId: 'c', namespace: 'agents', name: '-x' },
    ]) {
      expect(agentRefSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
