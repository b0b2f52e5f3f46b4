// The pod programs run here for real, under node, against a Codex home on disk: the same
// argv the dashboard sends through exec, the same bytes back.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { PAGE_ENTRY } from './pod-scripts';
import { InventoryReader } from './inventory-output';
import { invocation, nodeEvalArgv, programOnStdin, type PodProgramName } from '../pod/invocation';
import { FrameReader, parseFrames } from '../pod/frames';
import { NODE_LOADER, NODE_PROGRAMS, SHELL_PROGRAMS } from '../pod/programs.generated';
import { tarReader, type PageFile } from './tar-reader';

const home = mkdtempSync(path.join(tmpdir(), 'pod-scripts-'));
const codex = path.join(home, '.codex');
const thread = '019a0000-0000-7000-8000-000000000001';
const gi = path.join(codex, 'generated_images', thread);
let png: Buffer;
let big: Buffer;

/** Runs argv as exec would in the pod, with HOME at `at`. */
function spawnArgv(
  argv: string[],
  stdin: Buffer | string,
  at = home,
  PATH = process.env.PATH ?? '',
): Promise<{ stdout: Buffer; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', argv.slice(1), { env: { PATH, HOME: at } as unknown as NodeJS.ProcessEnv });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(chunks), code: code ?? -1 }));
    child.stdin.end(stdin);
  });
}

/** A pod program, sent as the dashboard sends it (node programs on stdin, after the loader). */
function runProgram(name: PodProgramName, args: string[], input: string, nonce = 'n0nce', at = home) {
  const { argv, stdin } = invocation(name, args, { input, nonce });
  return spawnArgv(argv, stdin ?? '', at);
}

/** The inventory's output read as it streams, in pieces of `piece` bytes. */
function inventoryOf(stdout: Buffer, nonce: string, piece = stdout.length || 1) {
  const reader = new InventoryReader();
  const frames = new FrameReader(nonce, reader);
  for (let i = 0; i < stdout.length; i += piece) frames.write(stdout.subarray(i, i + piece));
  frames.end();
  return reader.end();
}

/** The marks program's one answer. */
const answerOf = (stdout: Buffer) =>
  JSON.parse(
    parseFrames(stdout, 'n0nce')
      .find((f) => f.head.startsWith('answer '))!
      .head.slice(7),
  );

beforeAll(async () => {
  mkdirSync(gi, { recursive: true });
  png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  big = await sharp({ create: { width: 900, height: 700, channels: 4, background: '#22aa55' } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  writeFileSync(path.join(gi, 'ig_a.png'), png);
  writeFileSync(path.join(gi, 'ig_b.png'), big);
  writeFileSync(path.join(gi, 'ig_cut.png'), png.subarray(0, 100));
  writeFileSync(path.join(gi, 'notes.txt'), 'hello');
  writeFileSync(path.join(codex, 'auth.json'), '{"tokens":{"access_token":"SECRET"}}');
  symlinkSync('../../auth.json', path.join(gi, 'ig_escape.png'));
  // Not what their names claim: a hard link to auth.json, and text named like an image.
  linkSync(path.join(codex, 'auth.json'), path.join(gi, 'ig_link.png'));
  writeFileSync(path.join(gi, 'ig_text.png'), '{"tokens":{"access_token":"SECRET"}}');
  const day = path.join(codex, 'sessions', '2026', '11', '02');
  mkdirSync(day, { recursive: true });
  const huge = JSON.stringify({
    timestamp: '2026-11-02T10:00:05Z',
    type: 'response_item',
    payload: { type: 'image_generation_call', id: 'ig_a', status: 'completed', result: 'A'.repeat(2_000_000) },
  });
  writeFileSync(
    path.join(day, `rollout-2026-11-02T10-00-00-${thread}.jsonl`),
    [
      JSON.stringify({
        timestamp: '2026-11-02T10:00:00Z',
        type: 'session_meta',
        payload: { id: thread, cli_version: '0.169.0', base_instructions: { text: 'x'.repeat(300_000) } },
      }),
      JSON.stringify({ timestamp: '2026-11-02T10:00:01Z', type: 'event_msg', payload: { type: 'token_count' } }),
      JSON.stringify({
        timestamp: '2026-11-02T10:00:02Z',
        type: 'response_item',
        payload: {
          type: 'message',
          role: 'user',
          content: [
            {
              type: 'input_text',
              text: '<sender_context>\n{"schema":"openab.sender.v1","channel_id":"123456789012345678","thread_id":"223456789012345678"}\n</sender_context>\nhi',
            },
          ],
        },
      }),
      huge,
      '{"cut off',
    ].join('\n') + '\n',
  );
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('programs on stdin', () => {
  it('keep the exec URL short: only the loader is in argv, which an API server or proxy may cap at 8 KB', () => {
    const url = (argv: string[]) => argv.map((a) => `command=${encodeURIComponent(a)}&`).join('').length;
    expect(url(invocation('transfer', ['52428800']).argv)).toBeLessThan(2048);
    // What argv would carry otherwise.
    expect(url(nodeEvalArgv('x', NODE_PROGRAMS.transfer, ['52428800']))).toBeGreaterThan(8192);
    expect(url(nodeEvalArgv('x', NODE_PROGRAMS.inventory))).toBeGreaterThan(8192);
  });

  it('run with their input after them, byte-exact, whatever its characters', async () => {
    const input = JSON.stringify({ text: 'é ✓ \u0000 line\nbreak' });
    const echo = 'process.stdout.write(JSON.stringify([process.argv[2], input, nonce]))';
    const { stdout, code } = await spawnArgv(
      ['sh', '-c', SHELL_PROGRAMS['node-launch'], 'test', 'plain', NODE_LOADER, 'arg'],
      programOnStdin(echo, 'n0nce', input),
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout.toString())).toEqual(['arg', input, 'n0nce']);
  });
});

describe('the lower-priority wrapper', () => {
  const priority = 'process.stdout.write(JSON.stringify([require("os").getPriority(), process.argv[1]]))';
  it('runs the program at niceness 10 above its own, in the Codex home', async () => {
    const { stdout, code } = await spawnArgv(['sh', '-c', SHELL_PROGRAMS['node-launch'], 'test', 'nice', priority], '');
    expect(code).toBe(0);
    expect(JSON.parse(stdout.toString())).toEqual([Math.min(19, os.getPriority() + 10), codex]);
  });
  it('runs it as it is where the image has no nice', async () => {
    // A PATH with node and nothing else.
    const bin = mkdtempSync(path.join(tmpdir(), 'no-nice-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      const { stdout, code } = await spawnArgv(['sh', '-c', SHELL_PROGRAMS['node-launch'], 'test', 'nice', priority], '', home, bin);
      expect(code).toBe(0);
      expect(JSON.parse(stdout.toString())).toEqual([os.getPriority(), codex]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('the inventory program', () => {
  it('lists images with sizes and dimensions, names stray files, reduces rollouts', async () => {
    const { stdout, code } = await runProgram('inventory', [], '[]');
    expect(code).toBe(0);
    // Fed in small pieces, as exec chunks arrive.
    const out = inventoryOf(stdout, 'n0nce', 777);
    expect(out.complete).toBe(true);
    expect(out.home).toBe(codex);
    const byName = Object.fromEntries(out.images.map((i) => [i.file, i]));
    expect(Object.keys(byName).sort()).toEqual(['ig_a.png', 'ig_b.png', 'ig_cut.png']);
    expect(byName['ig_a.png']).toMatchObject({ size: png.length, width: 300, height: 200, session: thread });
    expect(byName['ig_b.png']).toMatchObject({ size: big.length, width: 900, height: 700 });
    expect(out.strays).toEqual(
      expect.arrayContaining([
        { name: `${thread}/ig_escape.png`, why: 'symlink' },
        { name: `${thread}/notes.txt`, why: 'not-an-image' },
      ]),
    );
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

  it('refuses a hard link (to auth.json) and a file whose first bytes are no image, whatever their names', async () => {
    const { stdout } = await runProgram('inventory', [], '[]');
    const out = inventoryOf(stdout, 'n0nce');
    expect(out.images.map((i) => i.file)).not.toContain('ig_link.png');
    expect(out.images.map((i) => i.file)).not.toContain('ig_text.png');
    expect(out.strays).toEqual(
      expect.arrayContaining([
        { name: `${thread}/ig_link.png`, why: 'hard-link' },
        { name: `${thread}/ig_text.png`, why: 'not-image-bytes' },
      ]),
    );
    // Each listed image carries the identity its cached copies are tied to.
    const a = out.images.find((i) => i.file === 'ig_a.png')!;
    const st = statSync(path.join(gi, 'ig_a.png'));
    expect(a).toMatchObject({ ino: st.ino, size: st.size, mtimeMs: Math.round(st.mtimeMs) });
  });

  it('only names rollouts the dashboard already knows', async () => {
    const s = inventoryOf((await runProgram('inventory', [], '[]', 'a')).stdout, 'a').sessions[0];
    const { stdout } = await runProgram('inventory', [], JSON.stringify([`${s.path}|${s.size}|${s.mtimeMs}`]), 'b');
    const out = inventoryOf(stdout, 'b');
    expect(out.sessions).toEqual([{ path: s.path, size: s.size, mtimeMs: s.mtimeMs, rollout: null }]);
    expect(stdout.length).toBeLessThan(2_000);
  });
});

describe('the transfer program and the tar reader', () => {
  async function transfer(wanted: Array<{ name: string; size: number }>, mode: 'bytes' | 'stream' = 'bytes') {
    const { stdout, code } = await runProgram('transfer', ['52428800'], JSON.stringify(wanted.map((w) => ({ p: w.name, s: w.size }))));
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

  it('refuses a hard link and a file that is no image, checked on the open file, even when asked by name', async () => {
    const { files, errors } = await transfer([
      { name: `${thread}/ig_link.png`, size: statSync(path.join(gi, 'ig_link.png')).size },
      { name: `${thread}/ig_text.png`, size: statSync(path.join(gi, 'ig_text.png')).size },
    ]);
    expect(files.size).toBe(0);
    expect(errors.get(`${thread}/ig_link.png`)).toMatch(/^refused: .*hard link/);
    expect(errors.get(`${thread}/ig_text.png`)).toMatch(/^refused: .*not a PNG, JPEG, WebP or GIF/);
  });

  it('refuses a file swapped after the listing: for a hard link of the same size, or another file', async () => {
    const listed = async () => {
      return inventoryOf((await runProgram('inventory', [], '[]', 'swap')).stdout, 'swap').images.find((i) => i.file === 'ig_swap.png')!;
    };
    const auth = path.join(codex, 'auth.json');
    const swap = path.join(gi, 'ig_swap.png');
    // A PNG exactly as long as auth.json, listed, then replaced by a hard link to auth.json.
    writeFileSync(swap, Buffer.concat([png.subarray(0, 8), Buffer.alloc(statSync(auth).size - 8, 1)]));
    const before = await listed();
    expect(before.size).toBe(statSync(auth).size);
    const wanted = (e: typeof before) => [{ p: e.name, s: e.size, m: e.mtimeMs, i: e.ino }];
    const read = async (request: unknown) => {
      const { stdout } = await runProgram('transfer', ['52428800'], JSON.stringify(request));
      const errors = new Map<string, string>();
      const got: string[] = [];
      const reader = tarReader([{ name: before.name, size: before.size }], {
        onBytes: (name) => void got.push(name),
        onError: (name, why) => void errors.set(name, why),
      });
      reader.write(stdout);
      reader.end();
      await reader.done;
      return { got, error: errors.get(before.name) };
    };
    // The listed file is kept aside, so its inode cannot be reused by what takes its place.
    const kept = path.join(codex, 'kept.png');
    try {
      renameSync(swap, kept);
      linkSync(auth, swap);
      const linked = await read(wanted(before));
      expect(linked.got).toEqual([]);
      expect(linked.error).toMatch(/hard link/);
      // Another real image of the same size in its place: not the file the listing saw.
      unlinkSync(swap);
      writeFileSync(swap, Buffer.concat([png.subarray(0, 8), Buffer.alloc(before.size - 8, 2)]));
      const other = await read(wanted(before));
      expect(other.got).toEqual([]);
      expect(other.error).toMatch(/^changed: /);
    } finally {
      rmSync(swap, { force: true });
      rmSync(kept, { force: true });
    }
  });

  it.each(['stream', 'bytes'] as const)('a truncated archive reports the files it lost (read as %s)', async (mode) => {
    const { stdout } = await runProgram('transfer', ['52428800'], JSON.stringify([{ p: `${thread}/ig_b.png`, s: big.length }]));
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
    const { stdout } = await runProgram('transfer', ['52428800'], JSON.stringify(wanted.map((w) => ({ p: w.name, s: w.size }))));
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

describe('a page transfer', () => {
  // Two sessions over two days, newest first: a1 (day 2), b1, a2, b2 (day 2), then a3, b3, a4 (day 1).
  const pageHome = mkdtempSync(path.join(tmpdir(), 'pod-scripts-page-'));
  const gen = path.join(pageHome, '.codex', 'generated_images');
  const A = '019a0000-0000-7000-8000-00000000000a';
  const B = '019a0000-0000-7000-8000-00000000000b';
  const order = [`${A}/ig_1.png`, `${B}/ig_1.png`, `${A}/ig_2.png`, `${B}/ig_2.png`, `${A}/ig_3.png`, `${B}/ig_3.png`, `${A}/ig_4.png`];
  const day2 = Date.UTC(2026, 10, 2, 12) / 1000;
  const day1 = Date.UTC(2026, 10, 1, 12) / 1000;
  const bytes = new Map<string, Buffer>();

  beforeAll(() => {
    for (const t of [A, B]) mkdirSync(path.join(gen, t), { recursive: true });
    order.forEach((name, i) => {
      const data = Buffer.concat([png, Buffer.alloc(i * 100, i)]);
      bytes.set(name, data);
      writeFileSync(path.join(gen, name), data);
      const when = (i < 4 ? day2 : day1) - i * 60;
      utimesSync(path.join(gen, name), when, when);
    });
    // Not images: never picked, whatever their age.
    writeFileSync(path.join(gen, A, 'notes.txt'), 'x');
    symlinkSync('../../auth.json', path.join(gen, A, 'ig_new.png'));
    // Newer than every image, so a page that took them would name them first.
    writeFileSync(path.join(pageHome, '.codex', 'auth.json'), '{"tokens":{"access_token":"SECRET"}}');
    linkSync(path.join(pageHome, '.codex', 'auth.json'), path.join(gen, A, 'ig_link.png'));
    writeFileSync(path.join(gen, B, 'ig_text.png'), 'not an image at all');
  });
  afterAll(() => rmSync(pageHome, { recursive: true, force: true }));

  async function page(q: Record<string, unknown>, skip: string[] = []) {
    const request = { page: { offset: 0, size: 48, maxBytes: 64 * 1024 * 1024, maxFiles: 48, ...q }, skip };
    const { stdout, code } = await runProgram('transfer', ['52428800'], JSON.stringify(request), 'n0nce', pageHome);
    expect(code).toBe(0);
    let named: PageFile[] = [];
    const files = new Map<string, Buffer>();
    const reader = tarReader([], {
      onPage: (f) => void (named = f),
      onBytes: (name, b) => void files.set(name, b),
      onError: (name, why) => expect.fail(`${name}: ${why}`),
    });
    reader.write(stdout);
    reader.end();
    await reader.done;
    return { named: named.map((f) => f.name), files, sizes: named };
  }

  it('picks the newest images first, names them, then sends each byte for byte', async () => {
    const { named, files, sizes } = await page({});
    expect(named).toEqual(order);
    for (const name of order) expect(files.get(name)?.equals(bytes.get(name)!)).toBe(true);
    expect(sizes.every((f) => f.size === bytes.get(f.name)!.length && Number.isFinite(f.mtimeMs))).toBe(true);
  });

  it('pages, and leaves out what the dashboard has and what is over the budget', async () => {
    expect((await page({ offset: 2, size: 3 })).named).toEqual(order.slice(2, 5));
    expect((await page({ offset: 6, size: 3 })).named).toEqual(order.slice(6));
    const first = (await page({ size: 1 })).sizes[0];
    expect((await page({ size: 3 }, [`${first.name}|${first.size}|${first.mtimeMs}`])).named).toEqual(order.slice(1, 3));
    // Over the budget: the rest is left for the dashboard to ask for.
    expect((await page({ maxBytes: bytes.get(order[0])!.length + 1 })).named).toEqual([order[0]]);
    expect((await page({ maxFiles: 2 })).named).toEqual(order.slice(0, 2));
  });

  it('applies the session and date filters as the gallery does', async () => {
    expect((await page({ session: A })).named).toEqual(order.filter((n) => n.startsWith(A)));
    expect((await page({ from: '2026-11-02' })).named).toEqual(order.slice(0, 4));
    expect((await page({ to: '2026-11-01', session: B })).named).toEqual([`${B}/ig_3.png`]);
    // A malformed date is no filter, as in the gallery.
    expect((await page({ from: 'yesterday' })).named).toEqual(order);
  });

  it('a page list from the pod is checked: bad names, sizes and identities are dropped, not wanted', async () => {
    const tar = pack();
    const list = JSON.stringify([
      { p: '../../auth.json', s: 5, m: 1 },
      { p: '/etc/passwd', s: 5, m: 1 },
      { p: `${A}/ig_1.png`, s: 60 * 1024 * 1024, m: 1 },
      { p: `${A}/ig_2.png`, s: 3, m: 'soon' },
      { p: `${A}/ig_4.png`, s: 3, m: 7 },
      { p: `${A}/ig_3.png`, s: 3, m: 7, i: 9 },
    ]);
    tar.entry({ name: PAGE_ENTRY, size: Buffer.byteLength(list) }, list);
    tar.entry({ name: '../../auth.json', size: 5 }, 'token');
    tar.entry({ name: `${A}/ig_3.png`, size: 3 }, 'abc');
    tar.finalize();
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(c as Buffer);
    let named: PageFile[] = [];
    const got: string[] = [];
    const reader = tarReader([], {
      onPage: (f) => void (named = f),
      onBytes: (name) => void got.push(name),
      onError: (name, why) => expect.fail(`${name}: ${why}`),
    });
    reader.write(Buffer.concat(chunks));
    reader.end();
    await reader.done;
    expect(named).toEqual([{ name: `${A}/ig_3.png`, size: 3, mtimeMs: 7, ino: 9 }]);
    expect(got).toEqual([`${A}/ig_3.png`]);
  });
});

describe('the marks program', () => {
  const key = 'a'.repeat(40);
  it('claims once, marks atomically, then answers with the mark', async () => {
    expect(answerOf((await runProgram('marks', ['claim', key], '')).stdout)).toEqual({ claimed: true });
    expect(answerOf((await runProgram('marks', ['claim', key], '')).stdout)).toEqual({ busy: true });
    const line = JSON.stringify({
      key,
      image: `${thread}/ig_a.png`,
      target: '223456789012345678',
      messageId: '1',
      channelId: '223456789012345678',
      guildId: null,
      by: 'x',
      at: 'now',
    });
    expect(answerOf((await runProgram('marks', ['mark', key], line)).stdout)).toEqual({ marked: true });
    const again = answerOf((await runProgram('marks', ['claim', key], '')).stdout);
    expect(again.marked.messageId).toBe('1');
    expect(readFileSync(path.join(codex, 'openab-dashboard/deliveries.jsonl'), 'utf8')).toBe(line + '\n');
  });

  it('refuses a key that is not hex', async () => {
    const r = await runProgram('marks', ['claim', '../../x'], '');
    expect(r.code).toBe(2);
  });
});
