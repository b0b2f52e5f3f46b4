// The seed writes rollouts by hand (hundreds, in well under a second); this proves their
// shape against what the real Codex CLI writes for the same turn: a Discord prompt, an
// image, a curl upload refused by Discord.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from './random';
import { fakeModelConfig } from './real-sessions';
import { buildRollout, senderContextBlock } from './rollouts';

const CODEX_BIN = path.resolve(__dirname, '../../node_modules/.bin/codex');
const REFUSAL = '{"message": "Missing Permissions", "code": 50013}';

type Line = { timestamp: string; ordinal: number; type: string; payload: any };
const kindOf = (l: Line) =>
  [
    l.type,
    l.payload.type,
    l.payload.role,
    l.payload.item?.type,
    l.payload.content?.[0]?.text?.startsWith('<environment_context>') ? 'env' : '',
  ]
    .filter(Boolean)
    .join('/');

let tmp: string;
const servers: http.Server[] = [];
let real: Line[];
const discordRequests: Array<{ url: string; authorization?: string; bytes: number }> = [];

function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-rollout-'));
  const home = path.join(tmp, 'home');
  const codexHome = path.join(home, '.codex');
  await fs.mkdir(codexHome, { recursive: true });
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366ff' } })
    .png()
    .toBuffer();

  const discord = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      discordRequests.push({ url: req.url ?? '', authorization: req.headers.authorization, bytes: Buffer.concat(chunks).length });
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(REFUSAL);
    });
  });
  const threadTarget = '123456789012345678';
  const imageCallId = 'ig_0123456789abcdef0123456789abcdef01234567';
  let savedPath = '';
  const model = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (!req.url?.endsWith('/responses')) {
        res.writeHead(404).end('{}');
        return;
      }
      const request = JSON.parse(body);
      const answered = JSON.stringify(request.input ?? []).includes('function_call_output');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      const id = `resp_${answered ? 2 : 1}`;
      send('response.created', { response: { id } });
      const items = answered
        ? [{ type: 'message', role: 'assistant', id: 'msg_done', content: [{ type: 'output_text', text: 'Posted.' }] }]
        : [
            {
              type: 'image_generation_call',
              id: imageCallId,
              status: 'completed',
              revised_prompt: 'a blue square',
              result: png.toString('base64'),
            },
            {
              type: 'function_call',
              name: 'exec_command',
              call_id: 'call_upload1',
              arguments: JSON.stringify({
                cmd: `curl -sS -X POST "${discord}/api/v10/channels/${threadTarget}/messages" -H "Authorization: Bot $DISCORD_BOT_TOKEN" -F 'payload_json={"content":"Here is your image"}' -F "files[0]=@${savedPath};type=image/png"`,
              }),
            },
          ];
      items.forEach((item, output_index) => send('response.output_item.done', { item, output_index }));
      send('response.completed', {
        response: {
          id,
          usage: {
            input_tokens: 10,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 5,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 15,
          },
        },
      });
      res.end();
    });
  });
  // The image the upload sends: Codex 0.169 offline records the call but does not save it.
  savedPath = path.join(codexHome, 'generated_images', 'pending', `${imageCallId}.png`);
  await fs.mkdir(path.dirname(savedPath), { recursive: true });
  await fs.writeFile(savedPath, png);
  await fs.writeFile(path.join(codexHome, 'config.toml'), fakeModelConfig(`${model}/v1`, 'FAKE_MODEL_KEY'));
  const prompt = `${senderContextBlock({ schema: 'openab.sender.v1', sender_id: '1', sender_name: 'a', display_name: 'A', channel: 'discord', channel_id: '2', thread_id: threadTarget, is_bot: false })}\n\nDraw a blue square`;
  // stdin closed: with a pipe there, codex exec waits for more prompt text.
  const child = spawn(CODEX_BIN, ['exec', '--skip-git-repo-check', prompt], {
    cwd: home,
    env: { ...process.env, HOME: home, CODEX_HOME: codexHome, FAKE_MODEL_KEY: 'x', DISCORD_BOT_TOKEN: 'rollout-test-token' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`codex exec exited ${code}: ${stderr}`);
  const sessions = await fs.readdir(path.join(codexHome, 'sessions'), { recursive: true });
  const file = sessions.find((f) => f.endsWith('.jsonl'))!;
  real = (await fs.readFile(path.join(codexHome, 'sessions', file), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
});

afterAll(async () => {
  for (const s of servers) s.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('seeded rollouts against the real Codex CLI', () => {
  const seeded = () =>
    buildRollout(
      {
        threadId: '01a213fe-24e8-7643-8b1b-6205f6f26a29',
        startMs: Date.parse('2026-11-20T10:00:00Z'),
        homeDir: '/home/node',
        approvalPolicy: 'never',
        sandboxMode: 'danger-full-access',
        channelId: '2',
        discordThreadId: '123456789012345678',
        sender: { id: '1', name: 'a', displayName: 'A' },
        botUserId: '3',
        turns: [
          {
            atMs: Date.parse('2026-11-20T10:00:05Z'),
            prompt: 'Draw a blue square',
            withThreadId: true,
            image: { callId: 'ig_abc', width: 64, height: 48, bytes: 300, revisedPrompt: 'a blue square' },
            upload: 'missing-permissions',
          },
        ],
      },
      createRng('conformance'),
    )
      .text.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);

  it('the real run went as scripted: curl sent the image and Discord refused it', () => {
    expect(discordRequests).toHaveLength(1);
    expect(discordRequests[0].url).toBe('/api/v10/channels/123456789012345678/messages');
    expect(discordRequests[0].bytes).toBeGreaterThan(100);
    expect(discordRequests[0].authorization).toBe('Bot rollout-test-token');
    const done = real.find((l) => l.payload.item?.type === 'CommandExecution')!.payload.item;
    expect(done.exit_code).toBe(0);
    expect(done.aggregated_output.trim()).toBe(REFUSAL);
  });

  it('writes the same records in the same order', () => {
    const mine = seeded();
    const myKinds = mine.map(kindOf);
    const realKinds = real.map(kindOf).filter((k) => myKinds.includes(k));
    expect(myKinds).toEqual(realKinds);
    expect(mine.map((l) => l.ordinal)).toEqual(mine.map((_, i) => i));
  });

  it('uses only fields the real records have', () => {
    const realByKind = new Map(real.map((l) => [kindOf(l), l]));
    for (const line of seeded()) {
      const twin = realByKind.get(kindOf(line))!;
      for (const key of Object.keys(line)) expect(Object.keys(twin), `line key ${key}`).toContain(key);
      for (const key of Object.keys(line.payload)) expect(Object.keys(twin.payload), `${kindOf(line)}: ${key}`).toContain(key);
      if (line.payload.item) {
        for (const key of Object.keys(line.payload.item))
          expect(Object.keys(twin.payload.item), `${kindOf(line)} item: ${key}`).toContain(key);
      }
    }
  });

  it('formats the shell tool result as Codex does', () => {
    const mine = seeded();
    const output = (lines: Line[]) => lines.find((l) => l.payload.type === 'function_call_output')!.payload.output as string;
    const shape = /^Chunk ID: [0-9a-f]{6}\nWall time: \d+\.\d{4} seconds\nProcess exited with code 0\nOriginal token count: \d+\nOutput:\n/;
    expect(output(real)).toMatch(shape);
    expect(output(mine)).toMatch(shape);
    const item = (lines: Line[]) => lines.find((l) => l.payload.item?.type === 'CommandExecution')!.payload.item;
    expect(item(mine).status).toBe(item(real).status);
    expect(item(mine).command.slice(0, 2)).toEqual(item(real).command.slice(0, 2));
    expect(item(mine).aggregated_output.trim()).toBe(item(real).aggregated_output.trim());
    expect(item(mine).cwd).toMatch(/^file:\/\//);
    expect(item(real).cwd).toMatch(/^file:\/\//);
    const meta = (lines: Line[]) => lines[0].payload;
    expect(meta(mine).id).toBe(meta(mine).session_id);
    expect(meta(real).id).toBe(meta(real).session_id);
  });
});
