import { describe, expect, it } from 'vitest';
import { parseConversation, WITHHELD } from './conversation';

const line = (type: string, payload: unknown, timestamp = '2026-11-25T10:00:00.000Z') => JSON.stringify({ timestamp, type, payload });
const call = (id: string, cmd: string) =>
  line('response_item', { type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd }), call_id: id });
const output = (id: string, text: string) =>
  line('response_item', { type: 'function_call_output', call_id: id, output: `Process exited with code 0\nOutput:\n${text}` });
const PLANTED = 'planted-secret-9f8e7d6c5b4a';

const rollout = [
  line('session_meta', { id: 'th-1', timestamp: '2026-11-25T10:00:00Z' }),
  line('response_item', {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text: '<environment_context><cwd>/home/node</cwd></environment_context>' }],
  }),
  line('response_item', {
    type: 'message',
    role: 'user',
    content: [
      {
        type: 'input_text',
        text: '<sender_context>\n{"schema":"openab.sender.v1","display_name":"Priya","channel_id":"100"}\n</sender_context>\n\nDraw a lighthouse',
      },
    ],
  }),
  line('response_item', { type: 'image_generation_call', id: 'ig_a', revised_prompt: 'A lighthouse, detailed', result: 'AAAA' }),
  call('c1', 'env'),
  output('c1', `HOME=/home/node\nDISCORD_BOT_TOKEN=${PLANTED}\nPATH=/usr/bin`),
  call('c2', 'cat ~/.codex/auth.json'),
  output('c2', `{"OPENAI_API_KEY": null, "tokens": {"access_token": "${PLANTED}"}}`),
  call('c3', `echo "$DISCORD_BOT_TOKEN"`),
  output('c3', PLANTED),
  call('c4', `curl -H "Authorization: Bot ${PLANTED}" https://discord.com/api/v10/channels/1/messages`),
  output('c4', '{"id":"5","channel_id":"1","attachments":[]}'),
  call('c5', 'ls generated_images'),
  output('c5', 'th-1'),
  line('response_item', {
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text: `Here it is. (token was DISCORD_BOT_TOKEN=${PLANTED})` }],
  }),
  '{"cut off',
].join('\n');

describe('parseConversation', () => {
  const conversation = parseConversation(rollout.split('\n'));

  it('shows requests, images, replies and tool calls in order, Codex\u2019s own context left out', () => {
    expect(conversation.threadId).toBe('th-1');
    expect(conversation.entries.map((e) => e.kind)).toEqual(['request', 'image', 'tool', 'tool', 'tool', 'tool', 'tool', 'reply']);
    expect(conversation.entries[0]).toMatchObject({ kind: 'request', text: 'Draw a lighthouse', sender: { displayName: 'Priya' } });
    expect(conversation.entries[1]).toMatchObject({ kind: 'image', callId: 'ig_a', revisedPrompt: 'A lighthouse, detailed' });
    expect(conversation.entries[6]).toMatchObject({ kind: 'tool', command: 'ls generated_images', output: 'th-1', exitCode: 0 });
  });

  it('withholds output that holds the environment or a token, and masks the rest', () => {
    const tools = conversation.entries.filter((e) => e.kind === 'tool');
    expect(tools.slice(0, 3).map((t) => t.withheld)).toEqual([WITHHELD, WITHHELD, WITHHELD]);
    expect(tools[3].withheld).toBeUndefined();
    expect(JSON.stringify(conversation)).not.toContain(PLANTED);
  });

  it('bounds what it keeps', () => {
    const many = Array.from({ length: 1_200 }, (_, i) =>
      line('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `reply ${i}` }] }),
    );
    const long = parseConversation(many);
    expect(long.entries).toHaveLength(1_000);
    expect(long.truncated).toBe(true);
  });
});
