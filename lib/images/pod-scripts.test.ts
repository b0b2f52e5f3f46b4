// The pod programs run here for real, under node, against a Codex home on disk: the same
// argv the dashboard sends through exec, the same bytes back.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_NODE, MARKS_NODE, TRANSFER_NODE, WITH_CODEX_HOME } from './pod-scripts';
import { InventoryReader } from './inventory-output';
import { tarReader } from './tar-reader';

const home = mkdtempSync(path.join(tmpdir(), 'pod-scripts-'));
const codex = path.join(home, '.codex');
const thread = '019a0000-0000-7000-8000-000000000001';
const gi = path.join(codex, 'generated_images', thread);
let png: Buffer;
let big: Buffer;

function run(program: string, args: string[], stdin: string): Promise<{ stdout: Buffer; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', WITH_CODEX_HOME, 'test', program, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home } as unknown as NodeJS.ProcessEnv });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(chunks), code: code ?? -1 }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  mkdirSync(gi, { recursive: true });
  png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } }).png().toBuffer();
  big = await sharp({ create: { width: 900, height: 700, channels: 4, background: '#22aa55' } }).png({ compressionLevel: 0 }).toBuffer();
  writeFileSync(path.join(gi, 'ig_a.png'), png);
  writeFileSync(path.join(gi, 'ig_b.png'), big);
  writeFileSync(path.join(gi, 'ig_cut.png'), png.subarray(0, 100));
  writeFileSync(path.join(gi, 'notes.txt'), 'hello');
  writeFileSync(path.join(codex, 'auth.json'), '{"tokens":{"access_token":"SECRET"}}');
  symlinkSync('../../auth.json', path.join(gi, 'ig_escape.png'));
  const day = path.join(codex, 'sessions', '2026', '11', '02');
  mkdirSync(day, { recursive: true });
  const huge = JSON.stringify({ timestamp: '2026-11-02T10:00:05Z', type: 'response_item', payload: { type: 'image_generation_call', id: 'ig_a', status: 'completed', result: 'A'.repeat(2_000_000) } });
  writeFileSync(
    path.join(day, `rollout-2026-11-02T10-00-00-${thread}.jsonl`),
    [
      JSON.stringify({ timestamp: '2026-11-02T10:00:00Z', type: 'session_meta', payload: { id: thread, cli_version: '0.169.0', base_instructions: { text: 'x'.repeat(300_000) } } }),
      JSON.stringify({ timestamp: '2026-11-02T10:00:01Z', type: 'event_msg', payload: { type: 'token_count' } }),
      JSON.stringify({ timestamp: '2026-11-02T10:00:02Z', type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<sender_context>\n{"schema":"openab.sender.v1","channel_id":"123456789012345678","thread_id":"223456789012345678"}\n</sender_context>\nhi' }] } }),
      huge,
      '{"cut off',
    ].join('\n') + '\n',
  );
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the inventory program', () => {
  it('lists images with sizes and dimensions, names stray files, reduces rollouts', async () => {
    const { stdout, code } = await run(INVENTORY_NODE, ['n0nce'], '[]');
    expect(code).toBe(0);
    const reader = new InventoryReader('n0nce');
    // Fed in small pieces, as exec chunks arrive.
    for (let i = 0; i < stdout.length; i += 777) reader.write(stdout.subarray(i, i + 777));
    const out = reader.end();
    expect(out.complete).toBe(true);
    expect(out.home).toBe(codex);
    const byName = Object.fromEntries(out.images.map((i) => [i.file, i]));
    expect(Object.keys(byName).sort()).toEqual(['ig_a.png', 'ig_b.png', 'ig_cut.png']);
    expect(byName['ig_a.png']).toMatchObject({ size: png.length, width: 300, height: 200, session: thread });
    expect(byName['ig_b.png']).toMatchObject({ size: big.length, width: 900, height: 700 });
    expect(out.strays).toEqual(expect.arrayContaining([{ name: `${thread}/ig_escape.png`, why: 'symlink' }, { name: `${thread}/notes.txt`, why: 'not-an-image' }]));
    expect(out.sessions).toHaveLength(1);
    const rollout = out.sessions[0].rollout!;
    expect(rollout.threadId).toBe(thread);
    expect(rollout.senderContexts[0].context.threadId).toBe('223456789012345678');
    expect(rollout.imageGenerations.map((g) => g.callId)).toEqual(['ig_a']);
    expect(rollout.skippedLines).toBe(1);
    // The 2 MB base64 result stayed in the pod.
    expect(stdout.length).toBeLessThan(20_000);
    expect(stdout.toString()).not.toContain('SECRET');
  });

  it('only names rollouts the dashboard already knows', async () => {
    const first = new InventoryReader('a');
    first.write((await run(INVENTORY_NODE, ['a'], '[]')).stdout);
    const s = first.end().sessions[0];
    const { stdout } = await run(INVENTORY_NODE, ['b'], JSON.stringify([`${s.path}|${s.size}|${s.mtimeMs}`]));
    const second = new InventoryReader('b');
    second.write(stdout);
    const out = second.end();
    expect(out.sessions).toEqual([{ path: s.path, size: s.size, mtimeMs: s.mtimeMs, rollout: null }]);
    expect(stdout.length).toBeLessThan(2_000);
  });
});

describe('the transfer program and the tar reader', () => {
  async function transfer(wanted: Array<{ name: string; size: number }>, mode: 'bytes' | 'stream' = 'bytes') {
    const { stdout, code } = await run(TRANSFER_NODE, ['52428800'], JSON.stringify(wanted.map((w) => ({ p: w.name, s: w.size }))));
    expect(code).toBe(0);
    const files = new Map<string, Buffer>();
    const errors = new Map<string, string>();
    const onError = (name: string, reason: string) => void errors.set(name, reason);
    const reader =
      mode === 'bytes'
        ? tarReader(wanted, { onBytes: (name, bytes) => void files.set(name, bytes), onError })
        : tarReader(wanted, {
            async onFile(name, data) {
              const chunks: Buffer[] = [];
              for await (const c of data) chunks.push(c as Buffer);
              files.set(name, Buffer.concat(chunks));
            },
            onError,
          });
    for (let i = 0; i < stdout.length; i += 65536) reader.write(stdout.subarray(i, i + 65536));
    reader.end();
    await reader.done;
    return { files, errors, bytes: stdout.length };
  }

  it.each(['bytes', 'stream'] as const)('sends many files in one stream, byte for byte (read as %s)', async (mode) => {
    const { files, errors, bytes } = await transfer(
      [
        { name: `${thread}/ig_a.png`, size: png.length },
        { name: `${thread}/ig_b.png`, size: big.length },
      ],
      mode,
    );
    expect(errors.size).toBe(0);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(files.get(`${thread}/ig_a.png`)!)).toBe(sha(png));
    expect(sha(files.get(`${thread}/ig_b.png`)!)).toBe(sha(big));
    expect(bytes).toBeGreaterThan(png.length + big.length);
    expect(bytes).toBeLessThan(png.length + big.length + 4 * 512 + 1024 + 1024);
  });

  it('refuses symlinks, traversal and files whose size changed since the listing', async () => {
    const { files, errors } = await transfer([
      { name: `${thread}/ig_escape.png`, size: 10 },
      { name: `${thread}/../../auth.json`, size: 10 },
      { name: `${thread}/ig_a.png`, size: png.length + 1 },
      { name: `${thread}/missing.png`, size: 5 },
      { name: `${thread}/ig_b.png`, size: big.length },
    ]);
    expect(files.has(`${thread}/ig_b.png`)).toBe(true);
    expect(files.size).toBe(1);
    expect(errors.get(`${thread}/ig_escape.png`)).toMatch(/symlink/);
    expect([...errors.values()].some((e) => /not a valid image name/.test(e))).toBe(true);
    expect(errors.get(`${thread}/ig_a.png`)).toMatch(/changed/);
    expect(errors.get(`${thread}/missing.png`)).toMatch(/missing/);
  });

  it.each(['stream', 'bytes'] as const)('a truncated archive reports the files it lost (read as %s)', async (mode) => {
    const { stdout } = await run(TRANSFER_NODE, ['52428800'], JSON.stringify([{ p: `${thread}/ig_b.png`, s: big.length }]));
    const errors = new Map<string, string>();
    const wanted = [{ name: `${thread}/ig_b.png`, size: big.length }];
    const onError = (name: string, reason: string) => void errors.set(name, reason);
    const reader =
      mode === 'stream'
        ? tarReader(wanted, {
            async onFile(_n, data) {
              for await (const _ of data) void _;
            },
            onError,
          })
        : tarReader(wanted, { onBytes: () => expect.fail('a cut-off file was handed over'), onError });
    reader.write(stdout.subarray(0, 5000));
    reader.end();
    await expect(reader.done).rejects.toThrow();
    expect(errors.get(`${thread}/ig_b.png`)).toBeTruthy();
  });

  it('a whole-file handler that fails has its file reported, and the archive goes on', async () => {
    const wanted = [
      { name: `${thread}/ig_a.png`, size: png.length },
      { name: `${thread}/ig_b.png`, size: big.length },
    ];
    const { stdout } = await run(TRANSFER_NODE, ['52428800'], JSON.stringify(wanted.map((w) => ({ p: w.name, s: w.size }))));
    const got: string[] = [];
    const errors = new Map<string, string>();
    const reader = tarReader(wanted, {
      onBytes(name) {
        if (name.endsWith('ig_a.png')) throw new Error('no room');
        got.push(name);
      },
      onError: (name, reason) => void errors.set(name, reason),
    });
    reader.write(stdout);
    reader.end();
    await reader.done;
    expect(got).toEqual([`${thread}/ig_b.png`]);
    expect(errors.get(`${thread}/ig_a.png`)).toBe('failed: no room');
  });
});

describe('the marks program', () => {
  const key = 'a'.repeat(40);
  it('claims once, marks atomically, then answers with the mark', async () => {
    expect(JSON.parse((await run(MARKS_NODE, ['claim', key], '')).stdout.toString())).toEqual({ claimed: true });
    expect(JSON.parse((await run(MARKS_NODE, ['claim', key], '')).stdout.toString())).toEqual({ busy: true });
    const line = JSON.stringify({ key, image: `${thread}/ig_a.png`, target: '223456789012345678', messageId: '1', channelId: '223456789012345678', guildId: null, by: 'x', at: 'now' });
    expect(JSON.parse((await run(MARKS_NODE, ['mark', key], line)).stdout.toString())).toEqual({ marked: true });
    const again = JSON.parse((await run(MARKS_NODE, ['claim', key], '')).stdout.toString());
    expect(again.marked.messageId).toBe('1');
    expect(readFileSync(path.join(codex, 'openab-dashboard/deliveries.jsonl'), 'utf8')).toBe(line + '\n');
  });

  it('refuses a key that is not hex', async () => {
    const r = await run(MARKS_NODE, ['claim', '../../x'], '');
    expect(r.code).toBe(2);
  });
});
