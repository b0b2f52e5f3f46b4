import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { READ_CONFIG_SCRIPT, TOGGLE_FEATURE_SCRIPT, WRITE_CONFIG_SCRIPT, lastStatusLine, parseConfigRead } from './pod-scripts';
import { agentRefSchema } from './agent-ref';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('parseConfigRead', () => {
  it('splits the header lines from the raw bytes, keeping a BOM and CRLF', () => {
    const body = Buffer.from('\ufeffa = 1\r\nb = "x"\r\n', 'utf8');
    const out = Buffer.concat([Buffer.from(`H /home/agent/.codex\nS ${sha(body)}\nZ ${body.length}\n`), body]);
    expect(parseConfigRead(out)).toEqual({ codexHome: '/home/agent/.codex', state: 'present', hash: sha(body), bytes: body });
  });

  it('reads a missing, symlinked or oversized file as such', () => {
    expect(parseConfigRead(Buffer.from('H /h\nS missing\n'))).toMatchObject({ state: 'missing', hash: 'missing' });
    expect(parseConfigRead(Buffer.from('H /h\nS symlink\n'))).toMatchObject({ state: 'symlink' });
    expect(parseConfigRead(Buffer.from('H /h\nS toolarge\nZ 99999999\n'))).toMatchObject({ state: 'toolarge' });
  });

  it('refuses output that was cut short or is not ours', () => {
    const body = Buffer.from('a = 1\n');
    expect(parseConfigRead(Buffer.concat([Buffer.from(`H /h\nS ${sha(body)}\nZ 10\n`), body]))).toBeNull();
    expect(parseConfigRead(Buffer.from('garbage'))).toBeNull();
    expect(parseConfigRead(Buffer.from('H /h\nS nothex\nZ 0\n'))).toBeNull();
  });

  it('finds the status line of the write script', () => {
    expect(lastStatusLine('noise\nOK abc\n')).toBe('OK abc');
    expect(lastStatusLine('E conflict\n')).toBe('E conflict');
  });
});

describe('the fixed scripts', () => {
  it('take every value as a positional argument, never spliced in', () => {
    for (const script of [READ_CONFIG_SCRIPT, WRITE_CONFIG_SCRIPT, TOGGLE_FEATURE_SCRIPT]) {
      expect(script).not.toMatch(/\beval\b/);
      // Positional values are always quoted.
      expect(script.match(/\$[1-9]/g)?.length ?? 0).toBe(script.match(/"\$[1-9]"/g)?.length ?? 0);
    }
    expect(TOGGLE_FEATURE_SCRIPT).toMatch(/codex features "\$1" "\$2"/);
  });
});

describe('agentRefSchema', () => {
  it('accepts a real agent address and refuses path tricks and controls', () => {
    expect(agentRefSchema.safeParse({ clusterId: 'dashboard@devcluster', namespace: 'team-b', name: 'team-b-openab-codex-2' }).success).toBe(true);
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
