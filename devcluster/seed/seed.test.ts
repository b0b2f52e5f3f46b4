import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexLauncherFor, codexVersionOfImage, FIELD_CODEX_VERSIONS, type FieldCodexVersion } from '../runtime/codex-versions';
import { buildSeed, canPostFiles, channelPermissions, chartFullname, DEMO_SECRET_MARKERS, demoSecretMarkers, warmSeedCache } from './index';
import type { SeedAgent, SeedResult } from './types';

const run = promisify(execFile);
/** Runs the agent's own Codex version, as its pod does. */
const runCodexOf = (version: string, args: string[], env: NodeJS.ProcessEnv) =>
  run(process.execPath, [codexLauncherFor(version as FieldCodexVersion), ...args], { env });

let tmp: string;
let seed: SeedResult;
let codexAgents: SeedAgent[];

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

function jwtPayload(token: string): Record<string, any> {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

const codexDir = (a: SeedAgent) => path.join(seed.volumes[`${a.namespace}/${a.name}`], '.codex');
const agentBy = (pred: (a: SeedAgent) => boolean) => {
  const found = codexAgents.find(pred);
  expect(found, 'seeded agent').toBeDefined();
  return found!;
};
const obj = (kind: string, ns: string, name: string) =>
  seed.objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);

interface RolloutLine {
  timestamp: string;
  type: string;
  payload: any;
}
async function readRollouts(a: SeedAgent): Promise<Map<string, RolloutLine[]>> {
  const byThread = new Map<string, RolloutLine[]>();
  for (const file of await listFiles(path.join(codexDir(a), 'sessions'))) {
    expect(path.basename(file)).toMatch(/^rollout-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-[0-9a-f-]{36}\.jsonl$/);
    const lines = (await fs.readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RolloutLine);
    expect(lines[0].type).toBe('session_meta');
    expect(file).toContain(lines[0].payload.id);
    byThread.set(lines[0].payload.id, lines);
  }
  return byThread;
}

function senderContext(text: string): Record<string, any> {
  const m = /^<sender_context>\n(.*)\n<\/sender_context>\n/.exec(text);
  expect(m, 'prompt starts with sender_context').not.toBeNull();
  return JSON.parse(m![1]);
}

beforeAll(async () => {
  await warmSeedCache();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-test-'));
  seed = await buildSeed('demo', { dataDir: path.join(tmp, 'demo') });
  codexAgents = seed.agents!.filter((a) => a.codex);
});

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('chart objects', () => {
  it('names objects as the chart does', () => {
    expect(chartFullname('openab')).toBe('openab');
    expect(chartFullname('my-openab-prod')).toBe('my-openab-prod');
    expect(chartFullname('team-b')).toBe('team-b-openab');
    expect(codexAgents).toHaveLength(8);
    expect(new Set(codexAgents.map((a) => a.namespace))).toEqual(new Set(['agents', 'team-b']));
    expect(codexAgents.map((a) => a.name)).toContain('team-b-openab-codex');
    expect(codexAgents.map((a) => a.name)).toContain('openab-codex-2');
    for (const ns of ['agents', 'team-b']) expect(seed.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns)).toBeDefined();
    for (const a of seed.agents!) {
      expect(a.name).toBe(`${chartFullname(a.release)}-${a.agentKey}`);
      const kinds = a.codex
        ? ['Deployment', 'Secret', 'ConfigMap', 'PersistentVolumeClaim']
        : ['Deployment', 'ConfigMap', 'PersistentVolumeClaim'];
      for (const kind of kinds) {
        const o = obj(kind, a.namespace, a.name);
        expect(o, `${kind} ${a.namespace}/${a.name}`).toBeDefined();
        expect(o!.metadata.labels).toMatchObject({
          'app.kubernetes.io/name': 'openab',
          'app.kubernetes.io/instance': a.release,
          'app.kubernetes.io/component': a.agentKey,
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': 'openab-0.8.3-beta.4',
        });
      }
    }
  });

  it('keeps the Deployment shape: container openab, HOME, token from the Secret, PVC at HOME', () => {
    const homes = new Set<string>();
    for (const a of codexAgents) {
      const dep = obj('Deployment', a.namespace, a.name)!;
      expect(dep.spec.strategy.type).toBe('Recreate');
      expect(dep.spec.selector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'openab',
        'app.kubernetes.io/instance': a.release,
        'app.kubernetes.io/component': a.agentKey,
      });
      expect(dep.spec.template.metadata.labels).toEqual(dep.spec.selector.matchLabels);
      const [container] = dep.spec.template.spec.containers;
      expect(container.name).toBe('openab');
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
      expect(env.HOME.value).toBe(a.homeDir);
      homes.add(a.homeDir);
      expect(env.DISCORD_BOT_TOKEN.valueFrom.secretKeyRef).toEqual({ name: a.name, key: 'discord-bot-token' });
      expect(container.volumeMounts.find((m: any) => m.name === 'data').mountPath).toBe(a.homeDir);
      const volumes = Object.fromEntries(dep.spec.template.spec.volumes.map((v: any) => [v.name, v]));
      expect(volumes.data.persistentVolumeClaim.claimName).toBe(a.name);
      expect(volumes.config.configMap.name).toBe(a.name);
      expect(seed.volumes[`${a.namespace}/${a.name}`]).toBeDefined();
    }
    expect(homes).toEqual(new Set(['/home/node', '/home/agent']));
  });

  it('runs every field Codex version on a running agent, the image tag naming it; bigger fleets cycle through them', async () => {
    const firstEight = codexAgents.slice(0, 8);
    for (const v of FIELD_CODEX_VERSIONS) {
      expect(
        firstEight.some((a) => a.codexVersion === v && !a.crashLooping && a.configLoads),
        v,
      ).toBe(true);
    }
    for (const a of codexAgents) {
      const image = obj('Deployment', a.namespace, a.name)!.spec.template.spec.containers[0].image;
      expect(image).toMatch(new RegExp(`^ghcr\\.io/openabdev/openab-codex:.+-codex-${a.codexVersion!.replace(/\./g, '\\.')}$`));
      expect(codexVersionOfImage(image)).toBe(a.codexVersion);
    }
    const big = await buildSeed('demo', { dataDir: path.join(tmp, 'versions'), agents: 18 });
    const extra = big.agents!.filter((a) => a.codex).slice(8);
    expect(new Set(extra.map((a) => a.codexVersion))).toEqual(new Set(FIELD_CODEX_VERSIONS));
    // No agent is given a config its own Codex refuses (but the one meant to be refused).
    const checked = new Set<string>();
    for (const a of big.agents!.filter((x) => x.codex && x.configLoads)) {
      const file = path.join(big.volumes[`${a.namespace}/${a.name}`], '.codex', 'config.toml');
      const text = await fs.readFile(file, 'utf8');
      if (checked.has(`${a.codexVersion}\n${text}`)) continue;
      checked.add(`${a.codexVersion}\n${text}`);
      const home = await fs.mkdtemp(path.join(tmp, 'accepts-'));
      await fs.writeFile(path.join(home, 'config.toml'), text);
      const listed = await runCodexOf(a.codexVersion!, ['features', 'list'], { ...process.env, CODEX_HOME: home }).then(
        () => 'accepted',
        (e) =>
          String(e.stderr)
            .split('\n')
            .find((l) => /error/i.test(l)) ?? 'refused',
      );
      expect(listed, `${a.name} on ${a.codexVersion}`).toBe('accepted');
    }
  });

  it('labels the kiro agent kiro, so the Codex selector does not match it', () => {
    const kiro = seed.objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels['app.kubernetes.io/component'] === 'kiro');
    expect(kiro).toHaveLength(1);
    expect(kiro[0].spec.template.spec.containers[0].image).not.toContain('codex');
    const codexSelected = seed.objects.filter(
      (o) =>
        o.kind === 'Deployment' &&
        o.metadata.labels['app.kubernetes.io/name'] === 'openab' &&
        /^codex(-\d+)?$/.test(o.metadata.labels['app.kubernetes.io/component']),
    );
    expect(codexSelected.map((o) => o.metadata.name).sort()).toEqual(codexAgents.map((a) => a.name).sort());
    expect(codexSelected.some((o) => o.metadata.name.includes('kiro'))).toBe(false);
    expect(seed.codexSelector).toBe('app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex,codex-2,codex-3,codex-4)');
  });

  it('stores the fake bot token in each Secret and distinct snowflake channels in each ConfigMap', () => {
    const seen = new Set<string>();
    for (const a of codexAgents) {
      const secret = obj('Secret', a.namespace, a.name)!;
      expect(Buffer.from(secret.data['discord-bot-token'], 'base64').toString()).toBe(seed.discord.botToken);
      const config = parseToml(obj('ConfigMap', a.namespace, a.name)!.data['config.toml']) as any;
      expect(config.agent.command).toBe('codex-acp');
      expect(config.agent.working_dir).toBe(a.homeDir);
      expect(config.discord.allowed_channels).toEqual(a.allowedChannels);
      for (const ch of a.allowedChannels) {
        expect(ch).toMatch(/^[1-9]\d{17}$/);
        expect(seen.has(ch)).toBe(false);
        seen.add(ch);
      }
      if (a.tokenPassing === 'env') expect(config.agent.env).toEqual({ DISCORD_BOT_TOKEN: '${DISCORD_BOT_TOKEN}' });
      if (a.tokenPassing === 'inherit_env') expect(config.agent.inherit_env).toEqual(['DISCORD_BOT_TOKEN']);
      if (a.tokenPassing === 'none') expect(config.agent.env ?? config.agent.inherit_env).toBeUndefined();
    }
  });

  it('makes the empty seed two namespaces and nothing else', async () => {
    const empty = await buildSeed('empty', { dataDir: path.join(tmp, 'empty') });
    expect(empty.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/default', 'Namespace/agents']);
    expect(empty.volumes).toEqual({});
    expect(empty.crashLooping).toEqual([]);
  });
});

describe('Codex homes', () => {
  it('covers every login state in auth.json', async () => {
    const now = Date.now();
    const chatgpt = agentBy((a) => a.login === 'chatgpt');
    const authPath = path.join(codexDir(chatgpt), 'auth.json');
    expect(statSync(authPath).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(path.join(codexDir(chatgpt), 'auth.json.lock'), 'utf8')).toBe('');
    const auth = JSON.parse(await fs.readFile(authPath, 'utf8'));
    expect(auth.auth_mode).toBe('chatgpt');
    const id = jwtPayload(auth.tokens.id_token);
    expect(id.email).toBe(chatgpt.email);
    expect(id['https://api.openai.com/auth'].chatgpt_plan_type).toBe(chatgpt.plan);
    expect(id['https://api.openai.com/auth'].chatgpt_account_id).toBe(auth.tokens.account_id);
    expect(jwtPayload(auth.tokens.access_token).exp * 1000).toBeGreaterThan(now);
    expect(auth.tokens.refresh_token.split('.')).toHaveLength(1);
    expect(now - Date.parse(auth.last_refresh)).toBeLessThan(8 * 86_400_000);

    const apikey = agentBy((a) => a.login === 'apikey');
    const keyAuth = JSON.parse(await fs.readFile(path.join(codexDir(apikey), 'auth.json'), 'utf8'));
    expect(keyAuth.auth_mode).toBe('apikey');
    expect(keyAuth.OPENAI_API_KEY).toMatch(/^sk-proj-[A-Za-z0-9]{40,}$/);
    expect(keyAuth.tokens).toBeUndefined();
    expect(apikey.apiKeyMasked).toBe(`${keyAuth.OPENAI_API_KEY.slice(0, 8)}***${keyAuth.OPENAI_API_KEY.slice(-5)}`);

    const expired = agentBy((a) => a.login === 'expired');
    const old = JSON.parse(await fs.readFile(path.join(codexDir(expired), 'auth.json'), 'utf8'));
    expect(jwtPayload(old.tokens.access_token).exp * 1000).toBeLessThan(now);
    expect(now - Date.parse(old.last_refresh)).toBeGreaterThan(8 * 86_400_000);

    const expiring = agentBy((a) => a.login === 'expiring');
    const soon = JSON.parse(await fs.readFile(path.join(codexDir(expiring), 'auth.json'), 'utf8'));
    expect(jwtPayload(soon.tokens.access_token).exp * 1000 - now).toBeLessThan(86_400_000);

    expect(existsSync(path.join(codexDir(agentBy((a) => a.login === 'none')), 'auth.json'))).toBe(false);
    const unreadable = await fs.readFile(path.join(codexDir(agentBy((a) => a.login === 'unreadable')), 'auth.json'), 'utf8');
    expect(() => JSON.parse(unreadable)).toThrow();
  });

  it('covers every approval mode, image_generation off, and a rich config with an MCP secret', async () => {
    const configOf = async (a: SeedAgent) => parseToml(await fs.readFile(path.join(codexDir(a), 'config.toml'), 'utf8')) as any;
    expect(await configOf(agentBy((a) => a.approval === 'manual' && a.configLoads))).toMatchObject({
      approval_policy: 'on-request',
      approvals_reviewer: 'user',
    });
    expect(await configOf(agentBy((a) => a.approval === 'auto-review'))).toMatchObject({
      approval_policy: 'on-request',
      approvals_reviewer: 'auto_review',
    });
    expect(await configOf(agentBy((a) => a.approval === 'full-access'))).toMatchObject({
      approval_policy: 'never',
      sandbox_mode: 'danger-full-access',
    });
    expect((await configOf(agentBy((a) => a.approval === 'custom'))).approval_policy).toEqual({
      granular: { sandbox_approval: true, rules: false, skill_approval: true, request_permissions: false, mcp_elicitations: true },
    });
    for (const a of codexAgents.filter((x) => x.approval === 'auto-review')) {
      expect((await configOf(a)).approvals_reviewer, a.name).toBe(a.autoReviewer);
      expect(a.autoReviewer, a.name).toBe(a.codexVersion === '0.121.0' ? 'guardian_subagent' : 'auto_review');
    }
    expect(codexAgents.some((a) => a.approval === 'auto-review' && a.codexVersion === '0.121.0' && !a.crashLooping)).toBe(true);
    // Written as OpenAB's guide says: the [sandbox] table alone, no key Codex reads.
    const guide = agentBy((a) => a.approval === 'guide-sandbox');
    const guideConfig = await configOf(guide);
    expect(guideConfig.sandbox).toEqual({ approval_policy: 'auto-review' });
    for (const key of ['approval_policy', 'approvals_reviewer', 'sandbox_mode']) expect(guideConfig).not.toHaveProperty(key);
    expect(guide.crashLooping).toBe(false);
    expect((await configOf(agentBy((a) => !a.imageGeneration))).features.image_generation).toBe(false);
    const rich = await fs.readFile(path.join(codexDir(codexAgents[0]), 'config.toml'), 'utf8');
    expect(rich).toMatch(/^# /m);
    const parsed = parseToml(rich) as any;
    const mcpSecret = parsed.mcp_servers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN;
    expect(DEMO_SECRET_MARKERS).toContain(mcpSecret);
    const invalid = agentBy((a) => !a.configLoads);
    expect(['chatgpt', 'expiring']).toContain(invalid.login);
    expect(codexAgents.filter((a) => !a.configLoads)).toHaveLength(1);
  });

  it('is read by the real Codex CLI as intended', async () => {
    const expectedStatus: Record<string, RegExp> = {
      chatgpt: /Logged in using ChatGPT/,
      expiring: /Logged in using ChatGPT/,
      expired: /Logged in using ChatGPT/,
      // 0.121-0.137 say "Logged in using an API key", 0.169 and later "API key configured".
      apikey: /(API key configured|Logged in using an API key) - sk-proj-\*\*\*/,
      none: /Not logged in/,
      unreadable: /Error checking login status/,
    };
    const home = await fs.mkdtemp(path.join(tmp, 'codex-home-'));
    for (const a of codexAgents.slice(0, 8)) {
      await fs.rm(home, { recursive: true, force: true });
      await fs.mkdir(home);
      await fs.copyFile(path.join(codexDir(a), 'config.toml'), path.join(home, 'config.toml'));
      if (a.login !== 'none') await fs.copyFile(path.join(codexDir(a), 'auth.json'), path.join(home, 'auth.json'));
      const env = { ...process.env, CODEX_HOME: home };
      const features = await runCodexOf(a.codexVersion!, ['features', 'list'], env).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
      );
      expect(features.code, `${a.name} features list`).toBe(a.configLoads ? 0 : 1);
      if (!a.configLoads) {
        // 0.169 and later name the bootstrap configuration, earlier ones the file's position.
        expect(features.stderr).toMatch(
          /(failed to load bootstrap configuration|config\.toml:\d+:\d+: unknown variant `auto-review`)[\s\S]*approval_policy/,
        );
        continue;
      }
      const stage = a.codexVersion === '0.121.0' ? 'under development' : 'stable';
      expect(features.stdout, `${a.name} on ${a.codexVersion}`).toMatch(
        new RegExp(`^image_generation\\s+${stage}\\s+${a.imageGeneration}\\s*$`, 'm'),
      );
      const status = await runCodexOf(a.codexVersion!, ['login', 'status'], env).then(
        (r) => r.stderr + r.stdout,
        (e) => `${e.stderr}${e.stdout}`,
      );
      expect(status, `${a.name} login status`).toMatch(expectedStatus[a.login]);
    }
  });

  it('installs skills on some agents, one with broken front matter', async () => {
    const withDelivery = agentBy((a) => a.skills.includes('discord-image-delivery'));
    const skill = await fs.readFile(path.join(codexDir(withDelivery), 'skills/discord-image-delivery/SKILL.md'), 'utf8');
    expect(skill).toMatch(/^---\nname: discord-image-delivery\ndescription: .+\n/);
    const broken = agentBy((a) => a.skills.includes('thumbnail-maker'));
    const text = await fs.readFile(path.join(codexDir(broken), 'skills/thumbnail-maker/SKILL.md'), 'utf8');
    expect(text).not.toMatch(/^description:/m);
    expect(codexAgents.some((a) => a.skills.length === 0)).toBe(true);
  });
});

describe('images and sessions', () => {
  it('holds from no images to ~300, real PNGs of varied sizes with plausible mtimes', async () => {
    const counts = new Map<string, number>();
    const all: Array<{ agent: SeedAgent; file: string }> = [];
    for (const a of codexAgents) {
      const dir = path.join(codexDir(a), 'generated_images');
      const stray = new Set((a.strayFiles ?? []).map((f) => path.join(codexDir(a), f)));
      const files = existsSync(dir) ? (await listFiles(dir)).filter((f) => f.endsWith('.png')) : [];
      counts.set(a.name, files.length);
      expect(files.length, a.name).toBe(a.images);
      for (const f of files) {
        expect(path.relative(dir, f)).toMatch(/^[0-9a-f-]{36}\/ig_[0-9a-f]+\.png$/);
        if (!stray.has(f)) all.push({ agent: a, file: f });
      }
    }
    expect(Math.min(...counts.values())).toBe(0);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(300);

    const sizes = all.map((x) => statSync(x.file).size);
    expect(Math.min(...sizes)).toBeLessThan(100_000);
    expect(Math.max(...sizes)).toBeGreaterThan(1_500_000);
    const now = Date.now();
    const mtimes = all.map((x) => statSync(x.file).mtimeMs);
    expect(Math.min(...mtimes)).toBeGreaterThan(now - 40 * 86_400_000);
    expect(Math.max(...mtimes)).toBeLessThanOrEqual(now);
    expect(Math.max(...mtimes) - Math.min(...mtimes)).toBeGreaterThan(14 * 86_400_000);

    const dims = new Set<string>();
    for (const { file } of all.filter((_, i) => i % 7 === 0)) {
      const meta = await sharp(file).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThanOrEqual(256);
      expect(meta.width).toBeLessThanOrEqual(1536);
      dims.add(`${meta.width}x${meta.height}`);
    }
    expect(dims.size).toBeGreaterThanOrEqual(5);
  });

  it('links every image to a rollout whose prompt carries a parsable sender_context', async () => {
    for (const a of codexAgents) {
      const rollouts = await readRollouts(a);
      expect(rollouts.size, a.name).toBe(a.sessions);
      const dir = path.join(codexDir(a), 'generated_images');
      if (!existsSync(dir)) continue;
      for (const thread of await fs.readdir(dir)) {
        const lines = rollouts.get(thread);
        expect(lines, `${a.name} rollout for ${thread}`).toBeDefined();
        const meta = lines![0].payload;
        expect(meta.cwd).toBe(a.homeDir);
        for (const png of await fs.readdir(path.join(dir, thread))) {
          if ((a.strayFiles ?? []).includes(`generated_images/${thread}/${png}`) && !/^ig_[0-9a-f]+\.png$/.test(png)) continue;
          const callId = png.replace(/\.png$/, '');
          const at = lines!.findIndex(
            (l) => l.type === 'response_item' && l.payload.type === 'image_generation_call' && l.payload.id === callId,
          );
          expect(at, `${png} in its rollout`).toBeGreaterThan(0);
          const prompt = lines!
            .slice(0, at)
            .reverse()
            .find(
              (l) =>
                l.type === 'response_item' && l.payload.role === 'user' && !l.payload.content[0].text.startsWith('<environment_context>'),
            );
          const ctx = senderContext(prompt!.payload.content[0].text);
          expect(ctx.schema).toBe('openab.sender.v1');
          expect(ctx.channel).toBe('discord');
          expect(a.allowedChannels).toContain(ctx.channel_id);
          const mtime = statSync(path.join(dir, thread, png)).mtimeMs;
          expect(Math.abs(mtime - Date.parse(lines![at].timestamp))).toBeLessThan(5 * 60_000);
        }
      }
    }
  });

  it('records uploads that worked, failed in every way, and images never sent', async () => {
    const seen = new Set<string>();
    let missingThreadId = 0;
    const threads = new Map(seed.discord.channels.map((c) => [c.id, c]));
    for (const a of codexAgents) {
      for (const lines of (await readRollouts(a)).values()) {
        const imageCalls = new Set(lines.filter((l) => l.payload.type === 'image_generation_call').map((l) => l.payload.id));
        // Codex's environment_context is a user-role message too: prompts are those with sender_context.
        const firstUser = lines.find(
          (l) => l.type === 'response_item' && l.payload.role === 'user' && l.payload.content[0].text.startsWith('<sender_context>'),
        );
        if (firstUser && !('thread_id' in senderContext(firstUser.payload.content[0].text))) missingThreadId++;
        for (const call of lines.filter((l) => l.payload.type === 'function_call')) {
          const { cmd } = JSON.parse(call.payload.arguments);
          expect(cmd).toContain('Authorization: Bot $DISCORD_BOT_TOKEN');
          expect(cmd).not.toContain(seed.discord.botToken);
          const target = /channels\/(\d+)\/messages/.exec(cmd)![1];
          expect(threads.has(target), `target ${target} known to the fake Discord`).toBe(true);
          const file = /generated_images\/[^/]+\/(ig_[0-9a-f]+)\.png/.exec(cmd)![1];
          imageCalls.delete(file);
          const output: string = lines.find((l) => l.payload.type === 'function_call_output' && l.payload.call_id === call.payload.call_id)!
            .payload.output;
          // Codex before 0.169 records no item_completed: the output alone says how it ended.
          const done = lines.find((l) => l.payload.type === 'item_completed' && l.payload.item.id === call.payload.call_id)?.payload
            .item ?? {
            exit_code: Number(/^Process exited with code (\d+)$/m.exec(output)![1]),
            aggregated_output: output.slice(output.indexOf('Output:\n') + 'Output:\n'.length),
          };
          expect(output).toContain(done.aggregated_output);
          if (done.exit_code === 0 && JSON.parse(done.aggregated_output).id) seen.add('ok');
          else if (done.exit_code === 0) seen.add(`http-${JSON.parse(done.aggregated_output).code}`);
          else seen.add(`exit-${done.exit_code}${cmd.includes('--fail') ? '-fail' : ''}`);
        }
        if (imageCalls.size) seen.add('never-sent');
      }
    }
    expect([...seen].sort()).toEqual(['exit-22-fail', 'exit-28', 'exit-6', 'http-40005', 'http-50013', 'never-sent', 'ok']);
    expect(missingThreadId).toBeGreaterThan(0);
  });

  it('plants a truncated PNG, a symlink to auth.json and a text file on one agent', async () => {
    const hostile = agentBy((a) => (a.strayFiles ?? []).length > 0);
    const [truncated, symlink, text] = hostile.strayFiles!.map((f) => path.join(codexDir(hostile), f));
    expect(statSync(truncated).size).toBe(1500);
    await expect(sharp(truncated).toBuffer()).rejects.toThrow();
    expect(await fs.readlink(symlink)).toBe('../../auth.json');
    expect(path.resolve(path.dirname(symlink), await fs.readlink(symlink))).toBe(path.join(codexDir(hostile), 'auth.json'));
    expect(existsSync(path.join(codexDir(hostile), 'auth.json'))).toBe(true);
    expect(await fs.readFile(text, 'utf8')).not.toMatch(/^\x89PNG/);
    expect(codexAgents.filter((a) => a.strayFiles)).toHaveLength(1);
  });

  it('keeps the base64 image in the rollout for some agents, as Codex does', async () => {
    let inlined = 0;
    for (const a of codexAgents) {
      for (const [thread, lines] of await readRollouts(a)) {
        for (const call of lines.filter((l) => l.payload.type === 'image_generation_call' && l.payload.result)) {
          const file = path.join(codexDir(a), 'generated_images', thread, `${call.payload.id}.png`);
          expect(Buffer.from(call.payload.result, 'base64').equals(await fs.readFile(file))).toBe(true);
          inlined++;
        }
      }
    }
    expect(inlined).toBeGreaterThan(3);
  });

  it("includes sessions recorded by each version's real Codex CLI, on one running agent of that version", async () => {
    const carriers = codexAgents.filter((a) => (a.realCodexSessions ?? 0) > 0);
    expect(carriers.map((a) => a.codexVersion).sort()).toEqual([...FIELD_CODEX_VERSIONS].sort());
    for (const agent of carriers) await expectRealSessions(agent);
  });

  async function expectRealSessions(agent: SeedAgent) {
    expect(agent.crashLooping).toBe(false);
    expect(agent.realCodexSessions).toBe(4);
    const real = [...(await readRollouts(agent)).values()].filter((lines) => lines[0].payload.originator === 'codex_exec');
    expect(real).toHaveLength(4);
    for (const lines of real) {
      const text = lines.map((l) => JSON.stringify(l)).join('\n');
      expect(lines[0].payload.cli_version, agent.name).toBe(agent.codexVersion);
      // Records only the real binary writes (the generated sessions leave them out): world_state
      // since 0.169; the image_generation_end event before it.
      expect(
        lines.some((l) => (agent.codexVersion! >= '0.169' ? l.type === 'world_state' : l.payload.type === 'image_generation_end')),
        agent.name,
      ).toBe(true);
      expect(text).not.toMatch(/openab-seed-recording|127\.0\.0\.1|seed-recording-token|999999999999/);
      expect(lines[0].payload.cwd).toBe(agent.homeDir);
      expect(Date.now() - Date.parse(lines[0].timestamp)).toBeLessThan(2 * 86_400_000);
      const call = lines.find((l) => l.payload.type === 'image_generation_call')!;
      // The upload names the image where Codex keeps it: under this session's own thread id.
      for (const upload of lines.filter((l) => l.payload.type === 'function_call')) {
        expect(JSON.parse(upload.payload.arguments).cmd, agent.name).toContain(
          `generated_images/${lines[0].payload.id}/${call.payload.id}.png`,
        );
      }
      const png = path.join(codexDir(agent), 'generated_images', lines[0].payload.id, `${call.payload.id}.png`);
      expect(Buffer.from(call.payload.result, 'base64').equals(await fs.readFile(png))).toBe(true);
    }
    // Every version wraps the command's result in the function_call_output (item_completed only since 0.169).
    const outputs = real.flatMap((lines) =>
      lines.filter((l) => l.payload.type === 'function_call_output').map((l) => String(l.payload.output)),
    );
    expect(outputs.map((o) => Number(/^Process exited with code (\d+)$/m.exec(o)![1])).sort(), agent.name).toEqual([0, 0, 22]);
    expect(outputs.some((o) => o.includes('"code": 50013'))).toBe(true);
  }

  it('tells the fake Discord about channels, threads and where the bot may not post', () => {
    const byId = new Map(seed.discord.channels.map((c) => [c.id, c]));
    for (const a of codexAgents) for (const ch of a.allowedChannels) expect(byId.get(ch)?.type).toBe('text');
    const threads = seed.discord.channels.filter((c) => c.type === 'thread');
    expect(threads.length).toBeGreaterThan(50);
    const perms = (overwrites: any[]) =>
      channelPermissions({
        guildId: seed.discord.guildId,
        roles: seed.discord.roles!,
        memberRoleIds: seed.discord.botRoleIds!,
        memberId: seed.discord.botUserId!,
        overwrites,
      });
    for (const c of seed.discord.channels.filter((c) => c.type === 'text'))
      expect(c.botCanPost).toBe(canPostFiles(perms(c.permissionOverwrites!), false));
    for (const t of threads) {
      const parent = byId.get(t.parentId!);
      expect(parent?.type).toBe('text');
      expect(t.permissionOverwrites ?? []).toEqual([]);
      expect(t.botCanPost).toBe(canPostFiles(perms(parent!.permissionOverwrites!), true));
    }
    expect(seed.discord.channels.some((c) => c.type === 'text' && !c.botCanPost)).toBe(true);
    // A channel where the bot may post but not in its threads, and one hidden from @everyone.
    expect(threads.some((t) => !t.botCanPost && byId.get(t.parentId!)!.botCanPost)).toBe(true);
    expect(seed.discord.channels.some((c) => c.permissionOverwrites?.some((o) => o.id === seed.discord.guildId))).toBe(true);
    expect(seed.crashLooping).toHaveLength(1);
    const [ns, name] = seed.crashLooping[0].split('/');
    expect(obj('Deployment', ns, name)).toBeDefined();
  });

  it('crash-loops an agent whose states other, running agents also show', async () => {
    const crashing = agentBy((a) => a.crashLooping);
    const running = codexAgents.filter((a) => !a.crashLooping && a.configLoads);
    expect(running.some((a) => a.login === crashing.login)).toBe(true);
    expect(running.some((a) => a.approval === crashing.approval)).toBe(true);
    for (const login of ['chatgpt', 'apikey', 'expired', 'expiring', 'none', 'unreadable'])
      expect(running.map((a) => a.login)).toContain(login);
    for (const approval of ['manual', 'auto-review', 'full-access', 'custom', 'guide-sandbox'])
      expect(running.map((a) => a.approval)).toContain(approval);
    const small = await buildSeed('demo', { dataDir: path.join(tmp, 'six'), agents: 6 });
    expect(small.agents!.filter((a) => a.codex)).toHaveLength(6);
    expect(small.crashLooping).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('lists every secret it wrote, and writes none into ConfigMaps or rollouts', async () => {
    expect(DEMO_SECRET_MARKERS).toContain(seed.discord.botToken);
    expect(DEMO_SECRET_MARKERS.some((m) => m.startsWith('sk-proj-'))).toBe(true);
    expect(DEMO_SECRET_MARKERS.some((m) => m.startsWith('rt_'))).toBe(true);
    expect(DEMO_SECRET_MARKERS.some((m) => m.startsWith('ghp_'))).toBe(true);
    for (const m of DEMO_SECRET_MARKERS) expect(seed.secretMarkers).toContain(m);

    const homes: string[] = [];
    for (const a of codexAgents) {
      for (const f of ['auth.json', 'config.toml']) {
        const p = path.join(codexDir(a), f);
        if (existsSync(p)) homes.push(await fs.readFile(p, 'utf8'));
      }
    }
    const secretData = seed.objects
      .filter((o) => o.kind === 'Secret')
      .map((o) => Buffer.from(o.data['discord-bot-token'], 'base64').toString());
    const everything = [...homes, ...secretData].join('\n');
    for (const m of DEMO_SECRET_MARKERS) expect(everything, `marker ${m.slice(0, 12)}… written`).toContain(m);

    const configMaps = JSON.stringify(seed.objects.filter((o) => o.kind === 'ConfigMap'));
    const rollouts: string[] = [];
    for (const a of codexAgents)
      for (const f of await listFiles(path.join(codexDir(a), 'sessions'))) rollouts.push(await fs.readFile(f, 'utf8'));
    const shouldBeClean = configMaps + rollouts.join('\n') + JSON.stringify(seed.agents) + JSON.stringify(seed.logs);
    for (const m of seed.secretMarkers!) expect(shouldBeClean.includes(m), `marker ${m.slice(0, 12)}… leaked`).toBe(false);
  });

  it('gives the same markers on every build, and more for a bigger fleet', () => {
    expect(demoSecretMarkers()).toEqual(DEMO_SECRET_MARKERS);
    expect(demoSecretMarkers(20).length).toBeGreaterThan(DEMO_SECRET_MARKERS.length);
  });
});

describe('speed', () => {
  it('builds again from the cache in well under a second', async () => {
    const started = performance.now();
    const again = await buildSeed('demo', { dataDir: path.join(tmp, 'again') });
    // Rendering the pool again would take several seconds; copying from it well under one
    // (the bound leaves room for a loaded CI machine).
    expect(performance.now() - started).toBeLessThan(3000);
    expect(again.agents!.map((a) => a.name)).toEqual(seed.agents!.map((a) => a.name));
    expect(again.volumes['agents/openab-codex']).not.toBe(seed.volumes['agents/openab-codex']);
    // A pod deleting its image must not touch another run's copy.
    const dir = path.join(again.volumes['agents/openab-codex'], '.codex', 'generated_images');
    const [thread] = await fs.readdir(dir);
    const [png] = await fs.readdir(path.join(dir, thread));
    const first = path.join(seed.volumes['agents/openab-codex'], '.codex', 'generated_images');
    const before = (await listFiles(first)).length;
    await fs.rm(path.join(dir, thread, png));
    expect((await listFiles(first)).length).toBe(before);
    expect(before).toBe(codexAgents[0].images);
  });

  it('seeds 50 agents quickly', async () => {
    const started = performance.now();
    const big = await buildSeed('demo', { dataDir: path.join(tmp, 'fifty'), agents: 50 });
    expect(performance.now() - started).toBeLessThan(8000);
    const codex = big.agents!.filter((a) => a.codex);
    expect(codex).toHaveLength(50);
    expect(new Set(codex.map((a) => `${a.namespace}/${a.name}`)).size).toBe(50);
    expect(big.objects.filter((o) => o.kind === 'Deployment')).toHaveLength(51);
    for (const a of codex) expect(existsSync(path.join(big.volumes[`${a.namespace}/${a.name}`], '.codex', 'config.toml'))).toBe(true);
  });
});
