import { describe, expect, it } from 'vitest';
import { changeSentence } from './change-sentence';

describe('changeSentence', () => {
  it.each([
    [
      { action: 'approval-mode', result: 'success', before: 'manual', after: 'auto-review' },
      'Changed approval mode from Manual to Auto-review.',
    ],
    [
      { action: 'approval-mode', result: 'success', before: 'custom', after: 'full-access' },
      'Changed approval mode from Custom to Full access.',
    ],
    [
      { action: 'approval-mode', result: 'failure', before: 'manual', after: 'auto-review' },
      'Tried to change approval mode from Manual to Auto-review.',
    ],
    [
      { action: 'approval-mode', result: 'success', before: 'auto-review', after: 'auto-review' },
      'Repaired the approval setting (Auto-review).',
    ],
    [
      { action: 'restart', result: 'started', before: { restartedAt: null, pods: ['a'] }, after: { restartedAt: 'x' } },
      'Restarted the Deployment (its rollout started).',
    ],
    [{ action: 'restart', result: 'success', after: { restartedAt: 'x' } }, 'Restarted the Deployment; the new pod is ready.'],
    [{ action: 'restart', result: 'failure' }, 'Tried to restart the Deployment; the restart failed.'],
    [
      { action: 'feature', result: 'success', before: { image_generation: false }, after: { image_generation: true } },
      'Turned on the feature image_generation (it was off).',
    ],
    [
      { action: 'resend', result: 'success', after: { image: 'cat.png', target: 'channel 123 (#art)', messageId: '9' } },
      'Re-sent image cat.png to channel 123 (#art).',
    ],
    [{ action: 'resend', result: 'failure' }, 'Tried to re-send an image; nothing was sent.'],
    [{ action: 'login-start', result: 'started' }, 'Started a device-code login.'],
    [
      { action: 'install-delivery-skill', result: 'success', before: 'absent', after: 'installed' },
      'Installed the image delivery skill (it was absent).',
    ],
    [
      { action: 'copy-image-stable', result: 'success', before: 'a.png', after: '/home/node/images/a.png' },
      'Copied image a.png to /home/node/images/a.png.',
    ],
    [{ action: 'end-sessions', result: 'success', after: 'local:quinn' }, 'Ended every session of local:quinn.'],
  ])('writes a known action as a sentence: %j', (change, sentence) => {
    expect(changeSentence(change)).toBe(sentence);
  });

  it('writes an unknown action as a short key: value list, never JSON', () => {
    const s = changeSentence({ action: 'something-new', result: 'success', before: { a: 1, b: { c: [true, 'x'] } }, after: 'on' });
    expect(s).toBe('before: a: 1, b: c: true, x; after: on');
    expect(s).not.toMatch(/[{}"]/);
  });

  it('falls back when a known action is recorded in an unexpected shape', () => {
    expect(changeSentence({ action: 'feature', result: 'success', before: 'x', after: { a: 'b', c: 'd' } })).toBe(
      'before: x; after: a: b, c: d',
    );
    expect(changeSentence({ action: 'approval-mode', result: 'success', before: { mode: 1 } })).toBe('before: mode: 1');
  });

  it('is empty when nothing changed is recorded, and short however much was', () => {
    expect(changeSentence({ action: 'whatever', result: 'success' })).toBe('');
    expect(changeSentence({ action: 'x', result: 'success', after: 'y'.repeat(1000) }).length).toBeLessThanOrEqual(300);
  });
});
