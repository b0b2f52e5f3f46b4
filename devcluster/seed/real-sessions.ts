// A few session rollouts recorded with the REAL Codex CLI (`codex exec` against a
// loopback model server and a loopback Discord), so the demo holds genuine Codex output
// beside the generated one. Recorded once into the seed cache; placed per run with
// paths, ids and times rewritten.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Stand-ins written while recording, replaced when a session is placed in an agent's home. */
export const PLACEHOLDER = {
  home: '/tmp/openab-seed-recording/home',
  channelId: '999999999999000001',
  threadId: '999999999999000002',
  senderId: '999999999999000003',
  botUserId: '999999999999000004',
  discordBase: 'https://discord.com',
} as const;

export type RealScenario = 'delivered' | 'refused' | 'fail-flag' | 'not-sent';

export interface RealSession {
  scenario: RealScenario;
  /** Rollout file (in the cache) with placeholders. */
  file: string;
  /** The PNG the model returned (in the cache). */
  image: string;
  imageCallId: string;
  threadId: string;
  prompt: string;
}

const SCENARIOS: Array<{ scenario: RealScenario; prompt: string; upload?: 'plain' | 'fail' }> = [
  { scenario: 'delivered', prompt: 'Draw a lighthouse in a storm, oil painting', upload: 'plain' },
  { scenario: 'refused', prompt: 'Make a logo for the on-call rotation', upload: 'plain' },
  { scenario: 'fail-flag', prompt: 'Sketch our office plant as a superhero', upload: 'fail' },
  { scenario: 'not-sent', prompt: 'Paint a calm beach at sunset for my desktop' },
];

/**
 * Runs one `codex exec` per scenario with the Codex whose launcher (`bin/codex.js`) is given,
 * and stores the rollouts under dir. Returns [] (and says why on stderr) when that Codex
 * cannot run here: the seed works without them.
 */
export async function recordRealSessions(
  dir: string,
  png: Buffer,
  codexLauncher: string,
  /** Features enabled in the recording's config.toml (image_generation where a version ships it off). */
  features: Record<string, boolean> = {},
): Promise<RealSession[]> {
  if (!existsSync(codexLauncher)) return [];
  await fs.mkdir(dir, { recursive: true });
  const work = await fs.mkdtemp(path.join(dir, '.work-'));
  const servers: http.Server[] = [];
  try {
    const discord = await listen(servers, discordHandler);
    const homes = new Map(SCENARIOS.map((s) => [s.scenario, path.join(work, s.scenario)]));
    const model = await listen(servers, modelHandler(png, discord, homes));
    return await Promise.all(SCENARIOS.map((s, i) => recordOne(codexLauncher, features, dir, homes.get(s.scenario)!, model, s, i, png)));
  } catch (err) {
    process.stderr.write(`seed: real Codex sessions skipped: ${(err as Error).message}\n`);
    return [];
  } finally {
    for (const s of servers) s.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

function listen(servers: http.Server[], handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** Discord as the upload meets it: the scenario is the first path segment. */
const discordHandler: http.RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const [, scenario, , , , target] = (req.url ?? '').split('/');
    const body = Buffer.concat(chunks).toString('latin1');
    const fileName = /filename="([^"]+)"/.exec(body)?.[1] ?? 'image.png';
    if (scenario === 'delivered') {
      const id = '1311800000000000001';
      const attachment = '1311800000000000002';
      const url = `https://cdn.discordapp.com/attachments/${target}/${attachment}/${fileName}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 0,
          content: 'Here is your image',
          mentions: [],
          mention_roles: [],
          attachments: [
            {
              id: attachment,
              filename: fileName,
              size: chunks.reduce((n, c) => n + c.length, 0),
              url,
              proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
              content_type: 'image/png',
            },
          ],
          embeds: [],
          timestamp: new Date().toISOString().replace('Z', '+00:00'),
          edited_timestamp: null,
          flags: 0,
          components: [],
          id,
          channel_id: target,
          author: {
            id: PLACEHOLDER.botUserId,
            username: 'openab-codex',
            avatar: null,
            discriminator: '0000',
            public_flags: 0,
            flags: 0,
            bot: true,
            global_name: null,
          },
          pinned: false,
          mention_everyone: false,
          tts: false,
        }),
      );
      return;
    }
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"message": "Missing Permissions", "code": 50013}');
  });
};

function modelHandler(png: Buffer, discordUrl: string, homes: Map<RealScenario, string>): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const scenario = (req.url ?? '').split('/')[1] as RealScenario;
      const spec = SCENARIOS.find((s) => s.scenario === scenario);
      if (!spec || !req.url?.endsWith('/responses')) {
        res.writeHead(404).end('{}');
        return;
      }
      const answered = body.includes('function_call_output');
      const callId = imageCallIdFor(scenario);
      // Codex records the image call but does not save the file offline: the model side puts
      // it where Codex would (the thread id comes in a request header: `thread-id` since 0.137,
      // `session_id` before), so the upload below reads a real file.
      const threadId = String(req.headers['thread-id'] ?? req.headers['session_id'] ?? 'unknown');
      const imagePath = path.join(homes.get(scenario)!, '.codex', 'generated_images', threadId, `${callId}.png`);
      if (!answered) {
        mkdirSync(path.dirname(imagePath), { recursive: true });
        writeFileSync(imagePath, png);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      const id = `resp_${scenario}_${answered ? 2 : 1}`;
      send('response.created', { response: { id } });
      const items: object[] = [];
      if (answered) {
        const text =
          scenario === 'delivered' ? 'Done! I posted the image to this thread.' : 'I generated the image and sent it to the thread.';
        items.push({ type: 'message', role: 'assistant', id: `msg_${scenario}_2`, content: [{ type: 'output_text', text }] });
      } else {
        items.push({
          type: 'image_generation_call',
          id: callId,
          status: 'completed',
          revised_prompt: `${spec.prompt}, detailed`,
          result: png.toString('base64'),
        });
        if (spec.upload) {
          const flag = spec.upload === 'fail' ? ' --fail' : '';
          items.push({
            type: 'function_call',
            name: 'exec_command',
            call_id: `call_${scenario.replace(/-/g, '')}0001`,
            arguments: JSON.stringify({
              cmd:
                `curl${flag} -sS -X POST "${discordUrl}/${scenario}/api/v10/channels/${PLACEHOLDER.threadId}/messages" ` +
                `-H "Authorization: Bot $DISCORD_BOT_TOKEN" -F 'payload_json={"content":"Here is your image"}' ` +
                `-F "files[0]=@${imagePath};type=image/png"`,
            }),
          });
        } else {
          items.push({
            type: 'message',
            role: 'assistant',
            id: `msg_${scenario}_1`,
            content: [{ type: 'output_text', text: 'Here is your image! It is saved in generated_images.' }],
          });
        }
      }
      items.forEach((item, output_index) => send('response.output_item.done', { item, output_index }));
      send('response.completed', {
        response: {
          id,
          usage: {
            input_tokens: 3120,
            input_tokens_details: { cached_tokens: 2048 },
            output_tokens: 96,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 3216,
          },
        },
      });
      res.end();
    });
  };
}

function imageCallIdFor(scenario: RealScenario): string {
  const hex = Buffer.from(`real-${scenario}-image`).toString('hex').padEnd(40, '0').slice(0, 40);
  return `ig_${hex}`;
}

/** The image call ids of the recorded sessions (the same for every version): how tests tell them apart. */
export const REAL_IMAGE_CALL_IDS: ReadonlySet<string> = new Set(SCENARIOS.map((s) => imageCallIdFor(s.scenario)));

/**
 * A Codex config.toml that runs Codex for real against a fake Responses API (no network, no
 * approvals): how the seed records real sessions, and how tests run one.
 */
export function fakeModelConfig(baseUrl: string, envKey: string, features: Record<string, boolean> = {}): string {
  const featureLines = Object.entries(features).map(([name, on]) => `${name} = ${on}`);
  return [
    'model_provider = "fake"',
    'model = "gpt-5.5"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    '[shell_environment_policy]',
    'inherit = "all"',
    'ignore_default_excludes = true',
    '[model_providers.fake]',
    'name = "fake"',
    `base_url = "${baseUrl}"`,
    'wire_api = "responses"',
    `env_key = "${envKey}"`,
    'supports_websockets = false',
    ...(featureLines.length ? ['[features]', ...featureLines] : []),
    '',
  ].join('\n');
}

async function recordOne(
  codexLauncher: string,
  features: Record<string, boolean>,
  dir: string,
  home: string,
  modelUrl: string,
  spec: (typeof SCENARIOS)[number],
  index: number,
  png: Buffer,
): Promise<RealSession> {
  const codexHome = path.join(home, '.codex');
  await fs.mkdir(codexHome, { recursive: true });
  const callId = imageCallIdFor(spec.scenario);
  await fs.writeFile(
    path.join(codexHome, 'config.toml'),
    fakeModelConfig(`${modelUrl}/${spec.scenario}/v1`, 'OPENAB_SEED_FAKE_MODEL_KEY', features),
  );
  const sender = {
    schema: 'openab.sender.v1',
    sender_id: PLACEHOLDER.senderId,
    sender_name: 'priya.k',
    display_name: 'Priya',
    channel: 'discord',
    channel_id: PLACEHOLDER.channelId,
    thread_id: PLACEHOLDER.threadId,
    is_bot: false,
    timestamp: new Date().toISOString(),
    receiver_id: PLACEHOLDER.botUserId,
  };
  const prompt = `<sender_context>\n${JSON.stringify(sender)}\n</sender_context>\n\n${spec.prompt}`;
  await runCodex(codexLauncher, ['exec', '--skip-git-repo-check', prompt], home, codexHome);
  const sessions = (await fs.readdir(path.join(codexHome, 'sessions'), { recursive: true })).filter((f) => f.endsWith('.jsonl'));
  if (sessions.length !== 1) throw new Error(`expected one rollout for ${spec.scenario}, found ${sessions.length}`);
  let text = await fs.readFile(path.join(codexHome, 'sessions', sessions[0]), 'utf8');
  const threadId = JSON.parse(text.slice(0, text.indexOf('\n'))).payload.id as string;
  text = text
    .split(home)
    .join(PLACEHOLDER.home)
    .replace(/http:\/\/127\.0\.0\.1:\d+\/[a-z-]+(\/api\/v10\/)/g, `${PLACEHOLDER.discordBase}$1`)
    .split('"model_provider":"fake"')
    .join('"model_provider":"openai"')
    .split('"model_provider_id":"fake"')
    .join('"model_provider_id":"openai"');
  const file = `real-${index}-${spec.scenario}.jsonl`;
  await fs.writeFile(path.join(dir, file), text);
  const image = `real-${index}-${spec.scenario}.png`;
  await fs.writeFile(path.join(dir, image), png);
  return { scenario: spec.scenario, file, image, imageCallId: callId, threadId, prompt: spec.prompt };
}

function runCodex(codexLauncher: string, args: string[], cwd: string, codexHome: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdin closed: with a pipe there, `codex exec` waits for more prompt text.
    const child = spawn(process.execPath, [codexLauncher, ...args], {
      cwd,
      // A minimal environment: nothing of the machine that records leaks into the demo.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: cwd,
        CODEX_HOME: codexHome,
        OPENAB_SEED_FAKE_MODEL_KEY: 'seed',
        DISCORD_BOT_TOKEN: 'seed-recording-token',
      } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`codex exec exited ${code}: ${stderr.slice(-500)}`))));
  });
}

/**
 * A recorded rollout placed in an agent's home: placeholders replaced, every time
 * moved so the session starts at startMs. Returns the text and where the image goes.
 */
export function placeRealSession(
  text: string,
  opts: { homeDir: string; channelId: string; threadId: string; senderId: string; botUserId: string; startMs: number },
): { text: string; imageMs: number } {
  const lines = text.trim().split('\n');
  const recordedStart = Date.parse(JSON.parse(lines[0]).timestamp);
  const shift = opts.startMs - recordedStart;
  const recordedDate = new Date(recordedStart).toISOString().slice(0, 10);
  const placedDate = new Date(opts.startMs).toISOString().slice(0, 10);
  let imageMs = opts.startMs;
  const out = lines.map((line) => {
    const replaced = line
      .split(`current_date>${recordedDate}<`)
      .join(`current_date>${placedDate}<`)
      .split(`"current_date":"${recordedDate}"`)
      .join(`"current_date":"${placedDate}"`)
      .split(PLACEHOLDER.home)
      .join(opts.homeDir)
      .split(PLACEHOLDER.channelId)
      .join(opts.channelId)
      .split(PLACEHOLDER.threadId)
      .join(opts.threadId)
      .split(PLACEHOLDER.senderId)
      .join(opts.senderId)
      .split(PLACEHOLDER.botUserId)
      .join(opts.botUserId);
    const record = shiftTimes(JSON.parse(replaced), shift);
    if (record.payload?.type === 'image_generation_call') imageMs = Date.parse(record.timestamp);
    return JSON.stringify(record);
  });
  return { text: out.join('\n') + '\n', imageMs };
}

const SECONDS_KEYS = new Set(['started_at', 'completed_at', 'create_time']);
const MS_KEYS = new Set(['started_at_ms', 'completed_at_ms']);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function shiftTimes(value: any, shiftMs: number, key = ''): any {
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, shiftMs));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftTimes(v, shiftMs, k)]));
  }
  if (typeof value === 'number' && SECONDS_KEYS.has(key))
    return Number.isInteger(value) ? value + Math.round(shiftMs / 1000) : value + shiftMs / 1000;
  if (typeof value === 'number' && MS_KEYS.has(key)) return value + shiftMs;
  if (typeof value === 'string' && ISO.test(value)) {
    const shifted = new Date(Date.parse(value) + shiftMs).toISOString();
    return value.endsWith('Z') ? shifted : shifted.replace('Z', '+00:00');
  }
  return value;
}
