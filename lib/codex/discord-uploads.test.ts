import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findDiscordUploads, generatedImageOf, imageDeliveries } from './discord-uploads';
import { maskSecrets, parseRollout, threadIdFromRolloutPath } from './rollout';

// A real rollout written by Codex 0.169.0 (`codex exec` against a local fake
// model and a fake Discord): four curl uploads: ok, refused with exit 0,
// unresolvable host, refused with --fail-with-body.
const REAL_NAME = 'rollout-discord-uploads-0.169.0.jsonl';
const REAL = readFileSync(path.join(__dirname, 'fixtures', REAL_NAME), 'utf8');
const THREAD = '01a213fc-b02b-79f1-ad3f-cfe4475a9383';

const line = (type: string, payload: unknown, timestamp = '2026-11-25T10:00:00.000Z') => JSON.stringify({ timestamp, type, payload });
const senderPrompt = (ctx: Record<string, unknown>, prompt = 'draw a cat') =>
  `<sender_context>\n${JSON.stringify({ schema: 'openab.sender.v1', ...ctx })}\n</sender_context>\n\n${prompt}`;
const userMessage = (text: string) => line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const call = (id: string, cmd: string) =>
  line('response_item', { type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd }), call_id: id });
const completed = (id: string, output: string, exit_code: number, status = exit_code === 0 ? 'completed' : 'failed') =>
  line('event_msg', {
    type: 'item_completed',
    item: { type: 'CommandExecution', id, command: ['/bin/bash', '-lc', 'x'], status, aggregated_output: output, exit_code },
  });
const callOutput = (id: string, output: string) => line('response_item', { type: 'function_call_output', call_id: id, output });

describe('parseRollout on a real rollout', () => {
  const rollout = parseRollout(REAL);

  it('reads the thread, start and version', () => {
    expect(rollout.threadId).toBe(THREAD);
    expect(threadIdFromRolloutPath(`sessions/2026/11/25/${'rollout-2026-11-25T18-34-17-' + THREAD}.jsonl`)).toBe(THREAD);
    expect(rollout.startedAt).toBe('2026-11-25T18:34:17.013Z');
    expect(rollout.cliVersion).toBe('0.169.0');
    expect(rollout.skippedLines).toBe(0);
  });

  it('reads the sender context once', () => {
    expect(rollout.senderContexts).toHaveLength(1);
    expect(rollout.senderContexts[0].context).toEqual({
      schema: 'openab.sender.v1',
      senderId: '111',
      senderName: 'ada',
      displayName: 'Ada',
      channel: 'discord',
      channelId: '999',
      threadId: '1234567890',
      isBot: false,
      timestamp: '2026-11-25T18:00:00Z',
    });
  });

  it('pairs each exec_command with its completion', () => {
    expect(rollout.toolCalls.map((c) => [c.callId, c.completion?.exitCode, c.completion?.status])).toEqual([
      ['call_0', 0, 'completed'],
      ['call_1', 0, 'completed'],
      ['call_2', 6, 'failed'],
      ['call_3', 22, 'failed'],
    ]);
    expect(rollout.toolCalls[0].command).toContain('files[0]=@/tmp/cx/run/img.png');
  });

  it('finds every upload with its outcome', () => {
    const uploads = findDiscordUploads(rollout);
    expect(
      uploads.map((u) => ({
        callId: u.callId,
        target: u.target,
        files: u.files,
        outcome: u.outcome,
        code: u.discordCode,
        expected: u.expectedTarget,
      })),
    ).toEqual([
      { callId: 'call_0', target: '1234567890', files: ['/tmp/cx/run/img.png'], outcome: 'ok', code: undefined, expected: '1234567890' },
      { callId: 'call_1', target: '403', files: ['/tmp/cx/run/img.png'], outcome: 'failed', code: 50013, expected: '1234567890' },
      { callId: 'call_2', target: '555', files: ['/tmp/cx/run/img.png'], outcome: 'failed', code: undefined, expected: '1234567890' },
      { callId: 'call_3', target: '403', files: ['/tmp/cx/run/img.png'], outcome: 'failed', code: 50013, expected: '1234567890' },
    ]);
    expect(uploads[0].messageId).toBe('1300000000000000001');
    expect(uploads[1].exitCode).toBe(0);
    expect(uploads[1].reason).toMatch(/Missing permissions/);
    expect(uploads[2].reason).toMatch(/could not resolve the host/);
    expect(uploads[2].url).toBe('https://discord.invalid/api/v10/channels/555/messages');
  });

  it('survives the same file cut off mid-line', () => {
    const cut = REAL.slice(0, REAL.indexOf('"call_2"') + 3);
    const rolloutCut = parseRollout(cut);
    expect(rolloutCut.skippedLines).toBe(1);
    expect(findDiscordUploads(rolloutCut).map((u) => u.outcome)).toEqual(['ok', 'failed']);
  });
});

describe('parseRollout on synthetic lines', () => {
  it('skips malformed lines and tolerates CRLF', () => {
    const text = [
      'garbage',
      '{"not":"a record"}',
      '[1,2]',
      '{"type":"response_item","payload":"x"}',
      userMessage(senderPrompt({ channel_id: '42' })),
      '{"trunc',
    ].join('\r\n');
    const rollout = parseRollout(text);
    expect(rollout.skippedLines).toBe(5);
    expect(rollout.senderContexts.map((e) => e.context.channelId)).toEqual(['42']);
  });

  it('uses the output wrapper when no completion event exists', () => {
    const rollout = parseRollout(
      [
        call(
          'c1',
          'curl -F "files[0]=@/home/node/.codex/generated_images/t1/ig_1.png;type=image/png" https://discord.com/api/v10/channels/77/messages',
        ),
        callOutput(
          'c1',
          'Chunk ID: 1\nWall time: 0.1 seconds\nProcess exited with code 0\nOriginal token count: 3\nOutput:\n{"message": "Unknown Channel", "code": 10003}',
        ),
      ].join('\n'),
    );
    expect(rollout.toolCalls[0].completion).toMatchObject({ exitCode: 0, output: '{"message": "Unknown Channel", "code": 10003}' });
    const [upload] = findDiscordUploads(rollout);
    expect(upload).toMatchObject({
      target: '77',
      files: ['/home/node/.codex/generated_images/t1/ig_1.png'],
      outcome: 'failed',
      discordCode: 10003,
    });
    expect(generatedImageOf(upload.files[0])).toEqual({ threadId: 't1', fileName: 'ig_1.png' });
  });

  it('reads older exec_command_end events', () => {
    const rollout = parseRollout(
      [
        call('c1', "curl -sS -F 'file=@/tmp/a b.png' https://discord.com/api/v9/channels/88/messages"),
        line('event_msg', {
          type: 'exec_command_end',
          call_id: 'c1',
          exit_code: 7,
          stderr: 'curl: (7) Failed to connect to discord.com port 443',
        }),
      ].join('\n'),
    );
    const [upload] = findDiscordUploads(rollout);
    expect(upload).toMatchObject({ target: '88', files: ['/tmp/a b.png'], outcome: 'failed', exitCode: 7 });
    expect(upload.reason).toMatch(/could not connect/);
  });

  it('names HTTP errors, rate limits and bare non-zero exits', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['{"message": "401: Unauthorized", "code": 0}', 0, /token/],
      ['{"message": "Request entity too large", "code": 40005}', 0, /upload limit/],
      ['{"message": "You are being rate limited.", "retry_after": 0.75, "global": false}', 0, /retry after 0.75 s/],
      ['{"message": "Something new", "code": 99999}', 0, /Something new.*99999/],
      ['HTTP/2 500\r\ncontent-type: text/html\r\n\r\n<html>oops</html>', 0, /HTTP 500/],
      ['', 3, /exited with code 3/],
      ['curl: (26) Failed to open/read local data from file/application', 26, /could not read the file/],
    ];
    for (const [output, exit, reason] of cases) {
      const rollout = parseRollout(
        [call('c', 'curl -F files[0]=@x.png $DISCORD_API/channels/5/messages'), completed('c', output, exit)].join('\n'),
      );
      const [upload] = findDiscordUploads(rollout);
      expect(upload.outcome).toBe('failed');
      expect(upload.reason).toMatch(reason);
    }
  });

  it('keeps an unresolved target expression and an unknown outcome', () => {
    const rollout = parseRollout(
      call('c', 'curl -sS -F "files[0]=@$IMG" "https://discord.com/api/v10/channels/${THREAD_ID:-$CHANNEL_ID}/messages"'),
    );
    const [upload] = findDiscordUploads(rollout);
    expect(upload.target).toBeUndefined();
    expect(upload.targetExpression).toBe('${THREAD_ID:-$CHANNEL_ID}');
    expect(upload.files).toEqual(['$IMG']);
    expect(upload.outcome).toBe('unknown');
    expect(upload.reason).toMatch(/No result/);
  });

  it('ignores commands that are not uploads', () => {
    const rollout = parseRollout(
      [call('a', 'ls /channels/1/messages'), call('b', 'echo hello'), call('c', 'cat notes/channels/2/messages.txt')].join('\n'),
    );
    expect(rollout.toolCalls).toHaveLength(3);
    expect(findDiscordUploads(rollout)).toEqual([]);
  });

  it('matches each upload with the sender context in effect', () => {
    const rollout = parseRollout(
      [
        userMessage(senderPrompt({ channel_id: '100' })),
        call('a', 'curl -F files[0]=@a.png https://discord.com/api/v10/channels/100/messages'),
        completed('a', '{"id":"1","channel_id":"100","attachments":[]}', 0),
        userMessage(senderPrompt({ channel_id: '100', thread_id: '200' })),
        call('b', 'curl -F files[0]=@b.png https://discord.com/api/v10/channels/100/messages'),
        completed('b', '{"id":"2","channel_id":"100","attachments":[]}', 0),
      ].join('\n'),
    );
    const uploads = findDiscordUploads(rollout);
    expect(uploads.map((u) => [u.outcome, u.target, u.expectedTarget])).toEqual([
      ['ok', '100', '100'],
      ['ok', '100', '200'], // landed in the parent channel, not the thread
    ]);
  });

  it('masks tokens written into commands or printed', () => {
    const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789';
    const rollout = parseRollout(
      [
        call('a', `curl -H "Authorization: Bot ${token}" -F files[0]=@a.png https://discord.com/api/v10/channels/1/messages`),
        completed('a', `echo ${token}`, 0),
      ].join('\n'),
    );
    expect(JSON.stringify(rollout)).not.toContain('GaBcDe');
    expect(JSON.stringify(findDiscordUploads(rollout))).not.toContain('GaBcDe');
    expect(maskSecrets('Authorization: Bot $DISCORD_BOT_TOKEN')).toBe('Authorization: Bot $DISCORD_BOT_TOKEN');
  });

  it('handles a huge rollout line by line', () => {
    const image = line('response_item', {
      type: 'image_generation_call',
      id: 'ig_1',
      status: 'completed',
      result: 'A'.repeat(4 * 1024 * 1024),
    });
    const filler = Array.from({ length: 20_000 }, (_, k) => line('event_msg', { type: 'token_count', n: k })).join('\n');
    const text = [
      image,
      filler,
      call('a', 'curl -F files[0]=@a.png https://discord.com/api/v10/channels/1/messages'),
      completed('a', '{"id":"9","attachments":[]}', 0),
    ].join('\n');
    const started = Date.now();
    const rollout = parseRollout(text);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(rollout.imageGenerations).toEqual([{ callId: 'ig_1', line: 1, at: '2026-11-25T10:00:00.000Z' }]);
    expect(findDiscordUploads(rollout)[0].outcome).toBe('ok');
    expect(parseRollout('')).toEqual({ senderContexts: [], toolCalls: [], imageGenerations: [], skippedLines: 0 });
  });
});

describe('generated image paths', () => {
  it('recognises generated image paths only', () => {
    expect(generatedImageOf('/home/node/.codex/generated_images/abc-1/call_2.png')).toEqual({ threadId: 'abc-1', fileName: 'call_2.png' });
    expect(generatedImageOf('/home/node/.codex/generated_images/../x.png')).toBeUndefined();
    expect(generatedImageOf('/tmp/x.png')).toBeUndefined();
  });
});

describe('imageDeliveries', () => {
  const dir = '/home/node/.codex/generated_images/' + 'th-1';
  const text = [
    line('session_meta', { id: 'th-1', timestamp: '2026-11-25T10:00:00Z' }),
    userMessage(senderPrompt({ channel_id: '100', thread_id: '200' })),
    call('a', `curl -F "files[0]=@${dir}/ig_a.png" https://discord.com/api/v10/channels/200/messages`),
    completed('a', '{"message": "Missing Access", "code": 50001}', 0),
    call('b', `curl -F "files[0]=@${dir}/ig_a.png" https://discord.com/api/v10/channels/200/messages`),
    completed('b', '{"id":"5","channel_id":"200","attachments":[]}', 0),
    call('c', `curl -F "files[0]=@${dir}/ig_b.png" https://discord.com/api/v10/channels/200/messages`),
    completed('c', 'curl: (6) Could not resolve host: discord.com', 6),
    call('d', `curl -F "files[0]=@${dir}/ig_d.png" https://discord.com/api/v10/channels/100/messages`),
    completed('d', '{"id":"6","channel_id":"100","attachments":[]}', 0),
    call('e', `curl -F "files[0]=@/home/node/.codex/generated_images/other/ig_c.png" https://discord.com/api/v10/channels/200/messages`),
    completed('e', '{"id":"7","channel_id":"200","attachments":[]}', 0),
  ].join('\n');

  it('tells delivered, failed, never sent and misdelivered images apart', () => {
    const result = imageDeliveries(parseRollout(text), ['ig_a.png', 'ig_b.png', 'ig_c.png', 'ig_d.png']);
    expect(result.map((d) => [d.fileName, d.status, d.upload?.callId, d.expectedTarget, d.wrongTarget ?? false])).toEqual([
      ['ig_a.png', 'delivered', 'b', '200', false],
      ['ig_b.png', 'failed', 'c', '200', false],
      ['ig_c.png', 'never-sent', undefined, '200', false], // uploaded from another session's folder
      ['ig_d.png', 'delivered', 'd', '200', true], // went to the parent channel
    ]);
    expect(result[1].upload?.reason).toMatch(/resolve the host/);
  });
});
