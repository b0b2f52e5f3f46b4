import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deliveryTarget, extractSenderContexts, holdsSecrets, parseRollout, promptText } from './rollout';

const line = (type: string, payload: unknown, timestamp = '2026-11-25T10:00:00.000Z') => JSON.stringify({ timestamp, type, payload });
const senderPrompt = (ctx: Record<string, unknown>, prompt = 'draw a cat') =>
  `<sender_context>\n${JSON.stringify({ schema: 'openab.sender.v1', ...ctx })}\n</sender_context>\n\n${prompt}`;
const userMessage = (text: string) => line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const imageCall = (id: string, revised?: string) =>
  line('response_item', {
    type: 'image_generation_call',
    id,
    status: 'completed',
    ...(revised ? { revised_prompt: revised } : {}),
    result: 'iVBORw0KGgo=',
  });

describe('sender contexts', () => {
  it('reads OpenAB blocks and ignores others', () => {
    const text =
      senderPrompt({ sender_id: 1, channel_id: '10', thread_id: '20', receiver_id: '30', is_bot: true, extra: 'x' }) +
      '<sender_context>{bad json}</sender_context><sender_context>{"schema":"other"}</sender_context>';
    expect(extractSenderContexts(text)).toEqual([
      { schema: 'openab.sender.v1', senderId: '1', channelId: '10', threadId: '20', receiverId: '30', isBot: true },
    ]);
  });

  it('drops ids that are not Discord snowflakes', () => {
    const [context] = extractSenderContexts(senderPrompt({ channel_id: '../../etc', thread_id: '12; rm -rf ~' }));
    expect(context.channelId).toBeUndefined();
    expect(context.threadId).toBeUndefined();
    expect(deliveryTarget(context)).toBeUndefined();
  });

  it('targets the thread, falling back to the channel', () => {
    expect(deliveryTarget({ schema: 'openab.sender.v1', channelId: '1', threadId: '2' })).toBe('2');
    expect(deliveryTarget({ schema: 'openab.sender.v1', channelId: '1' })).toBe('1');
    expect(deliveryTarget(undefined)).toBeUndefined();
  });
});

describe('the story behind an image', () => {
  it('pairs each image with the request in effect, its revised prompt and who asked', () => {
    const rollout = parseRollout(
      [
        line('session_meta', { id: 'th-1', timestamp: '2026-11-25T10:00:00Z' }),
        userMessage('<environment_context>\n  <cwd>/home/node</cwd>\n</environment_context>'),
        userMessage(
          senderPrompt(
            { sender_name: 'priya.k', display_name: 'Priya', channel_id: '100', thread_id: '200' },
            'Draw a lighthouse in a storm',
          ),
        ),
        imageCall('ig_a', 'A lighthouse in a storm, oil painting, detailed'),
        userMessage(senderPrompt({ sender_name: 'sam', display_name: 'Sam', channel_id: '100' }, 'Now a calm beach')),
        imageCall('ig_b'),
      ].join('\n'),
    );
    expect(rollout.imageGenerations.map((g) => [g.callId, g.request, g.revisedPrompt, g.sender?.displayName])).toEqual([
      ['ig_a', 'Draw a lighthouse in a storm', 'A lighthouse in a storm, oil painting, detailed', 'Priya'],
      ['ig_b', 'Now a calm beach', undefined, 'Sam'],
    ]);
  });

  it('reads the request from the events when a rollout has no message item', () => {
    const rollout = parseRollout(
      [line('event_msg', { type: 'user_message', message: senderPrompt({ display_name: 'Lee' }, 'a red fox') }), imageCall('ig_c')].join(
        '\n',
      ),
    );
    expect(rollout.imageGenerations[0]).toMatchObject({ callId: 'ig_c', request: 'a red fox', sender: { displayName: 'Lee' } });
  });

  it('reads a real rollout of Codex 0.169.0', () => {
    const real = readFileSync(path.join(__dirname, 'fixtures', 'rollout-discord-uploads-0.169.0.jsonl'), 'utf8');
    const rollout = parseRollout(real);
    for (const generation of rollout.imageGenerations) {
      expect(generation.request).toBeTruthy();
      expect(generation.request).not.toContain('sender_context');
    }
  });

  it('masks a token pasted into a request or a revised prompt', () => {
    const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123';
    const rollout = parseRollout(
      [userMessage(`draw this DISCORD_BOT_TOKEN=${token}`), imageCall('ig_d', `a picture of ${token}`)].join('\n'),
    );
    expect(JSON.stringify(rollout)).not.toContain(token);
  });

  it('tells a person\u2019s request from Codex\u2019s own context', () => {
    expect(promptText('<environment_context><cwd>/</cwd></environment_context>')).toBeUndefined();
    expect(promptText(senderPrompt({}, '  hello  '))).toBe('hello');
    expect(promptText(senderPrompt({}, ''))).toBeUndefined();
  });
});

describe('holdsSecrets', () => {
  it('flags environment listings, credential assignments and token shapes', () => {
    expect(holdsSecrets('HOME=/home/node\nPATH=/usr/bin\nUSER=node\n')).toBe(true);
    expect(holdsSecrets('DISCORD_BOT_TOKEN=abc')).toBe(true);
    expect(holdsSecrets('{"tokens": {"refresh_token": "x"}}')).toBe(true);
    expect(holdsSecrets('Authorization: Bot abcdefghijkl')).toBe(true);
    expect(holdsSecrets('{"id":"5","channel_id":"200","attachments":[]}')).toBe(false);
    expect(holdsSecrets('total 4\n-rw-r--r-- 1 node node 12 a.png')).toBe(false);
  });
});
