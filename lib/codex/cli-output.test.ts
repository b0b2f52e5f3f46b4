import { describe, expect, it } from 'vitest';
import { codexErrorMessage, stripAnsi } from './cli-output';

describe('stripAnsi', () => {
  it('removes colours, OSC links and CR', () => {
    expect(stripAnsi('\x1b[1;94mABCD\x1b[0m\r\n\x1b]8;;https://x\x07link\x1b]8;;\x07\r')).toBe('ABCD\nlink\n');
    expect(stripAnsi('plain')).toBe('plain');
  });

  it('is fast on hostile input', () => {
    const started = Date.now();
    stripAnsi('\x1b['.repeat(200_000) + '\x1b]'.repeat(200_000));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('codexErrorMessage', () => {
  it('keeps the error and its causes, drops backtraces, warnings and TOML snippets', () => {
    const stderr = [
      'WARNING: proceeding, even though we could not create PATH aliases: x',
      'Error: failed to load bootstrap configuration',
      '',
      'Caused by:',
      '    0: /home/node/.codex/config.toml:2:10: invalid key',
      '         |',
      '       2 | secret = hunter2 oops',
      '         |          ^',
      '',
      'Stack backtrace:',
      '   0: <unknown>',
    ].join('\n');
    expect(codexErrorMessage(stderr)).toBe('Error: failed to load bootstrap configuration\nCaused by:\n0: /home/node/.codex/config.toml:2:10: invalid key');
  });

  it('falls back to the first lines when there is no Error line', () => {
    expect(codexErrorMessage('device auth timed out after 15 minutes\n')).toBe('device auth timed out after 15 minutes');
    expect(codexErrorMessage('')).toBeUndefined();
  });
});
