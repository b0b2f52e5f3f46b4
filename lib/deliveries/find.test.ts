// Failed deliveries from rollouts written the way Codex 0.169 writes them (the seed's
// writer, checked against the real binary), every kind of failure, and malformed lines.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../devcluster/seed/random';
import { buildRollout, type TurnPlan, type UploadOutcome } from '../../devcluster/seed/rollouts';
import { parseRollout } from '../codex/rollout';
import { findFailedDeliveries, type ImageFacts, type SessionFacts } from './find';
import { deliveryKey, parseMarks } from './marks';

const THREAD = '019a1111-2222-7333-8444-555566667777';
const DISCORD_THREAD = '1234567890123456789';
const CHANNEL = '1111111111111111111';
const outcomes: Array<UploadOutcome | undefined> = [
  'ok',
  'missing-permissions',
  'too-large',
  'curl-dns',
  'curl-timeout',
  'curl-fail-22',
  undefined,
];

function session(opts: { withThreadId?: boolean } = {}) {
  const rng = createRng('find-test');
  const start = Date.parse('2026-11-02T10:00:00Z');
  const turns: TurnPlan[] = outcomes.map((upload, i) => ({
    atMs: start + i * 60_000,
    prompt: 'Draw a fox',
    withThreadId: opts.withThreadId ?? true,
    image: { callId: `ig_${i}`, width: 64, height: 64, bytes: 1000 + i, revisedPrompt: 'a fox' },
    upload,
  }));
  const { text } = buildRollout(
    {
      threadId: THREAD,
      startMs: start - 1000,
      homeDir: '/home/node',
      approvalPolicy: 'on-request',
      sandboxMode: 'workspace-write',
      channelId: CHANNEL,
      discordThreadId: DISCORD_THREAD,
      sender: { id: '1', name: 'mika', displayName: 'Mika' },
      botUserId: '2',
      turns,
    },
    rng,
  );
  return text;
}

const images: ImageFacts[] = outcomes.map((_, i) => ({
  name: `${THREAD}/ig_${i}.png`,
  session: THREAD,
  file: `ig_${i}.png`,
  size: 1000 + i,
  mtimeMs: Date.parse('2026-11-02T10:00:30Z') + i * 60_000,
}));

function facts(text: string): Map<string, SessionFacts> {
  const rollout = parseRollout(text);
  return new Map([[THREAD, { id: THREAD, rollout, target: DISCORD_THREAD, channelId: CHANNEL, threadId: DISCORD_THREAD }]]);
}

describe('failed deliveries from a session', () => {
  it('finds every failed upload and every never-sent image, with its reason', () => {
    const found = findFailedDeliveries(images, facts(session()), []);
    const byFile = Object.fromEntries(found.map((f) => [f.file, f]));
    expect(Object.keys(byFile).sort()).toEqual(['ig_1.png', 'ig_2.png', 'ig_3.png', 'ig_4.png', 'ig_5.png', 'ig_6.png']);
    expect(byFile['ig_1.png']).toMatchObject({ kind: 'failed', discordCode: 50013, exitCode: 0, target: DISCORD_THREAD });
    expect(byFile['ig_1.png'].error).toMatch(/Missing permissions/);
    expect(byFile['ig_2.png'].error).toMatch(/too large/i);
    expect(byFile['ig_3.png'].error).toMatch(/resolve the host/);
    expect(byFile['ig_4.png'].error).toMatch(/timed out/);
    expect(byFile['ig_5.png']).toMatchObject({ kind: 'failed', exitCode: 22 });
    expect(byFile['ig_6.png']).toMatchObject({ kind: 'never-sent', attempts: 0, target: DISCORD_THREAD });
    expect(byFile['ig_6.png'].error).toMatch(/never sent/);
    for (const f of found.filter((x) => x.kind === 'failed')) {
      expect(f.attempts).toBe(1);
      expect(f.attemptedTarget).toBe(DISCORD_THREAD);
      expect(f.at).toMatch(/^2026-11-02T10:/);
    }
  });

  it('falls back to the channel when the session has no thread id', () => {
    const found = findFailedDeliveries(images, facts(session({ withThreadId: false })), []);
    expect(found.every((f) => f.target === CHANNEL)).toBe(true);
  });

  it('survives malformed and cut-off lines', () => {
    const lines = session().split('\n');
    const damaged = [lines[0], '{not json', '', '[1,2,3]', ...lines.slice(1, -3), lines.at(-3)!.slice(0, 40)].join('\n');
    const rollout = parseRollout(damaged);
    expect(rollout.skippedLines).toBeGreaterThanOrEqual(3);
    const found = findFailedDeliveries(images, facts(damaged), []);
    expect(found.map((f) => f.file)).toContain('ig_1.png');
  });

  it('marks what the dashboard re-delivered, and ignores broken mark lines', () => {
    const key = deliveryKey('c/ns/agent', `${THREAD}/ig_1.png`, DISCORD_THREAD);
    const text = `${JSON.stringify({ key, image: `${THREAD}/ig_1.png`, target: DISCORD_THREAD, messageId: '55', channelId: DISCORD_THREAD, guildId: null, by: 'sam', at: '2026-11-03T00:00:00Z' })}\n{"key":"cut`;
    const marks = parseMarks(text);
    expect(marks).toHaveLength(1);
    const found = findFailedDeliveries(images, facts(session()), marks);
    expect(found.find((f) => f.file === 'ig_1.png')!.redelivered?.messageId).toBe('55');
    expect(found.filter((f) => f.redelivered)).toHaveLength(1);
  });

  it('an image without a session rollout counts as never sent, target unknown', () => {
    const found = findFailedDeliveries([{ ...images[0], session: 'other', name: 'other/ig_0.png' }], new Map(), []);
    expect(found).toMatchObject([{ kind: 'never-sent', target: null }]);
  });

  it('the idempotency key depends on agent, image and target', () => {
    const a = deliveryKey('c/ns/a', 'x/y.png', '1');
    expect(a).toMatch(/^[a-f0-9]{40}$/);
    expect(deliveryKey('c/ns/a', 'x/y.png', '2')).not.toBe(a);
    expect(deliveryKey('c/ns/b', 'x/y.png', '1')).not.toBe(a);
  });
});
