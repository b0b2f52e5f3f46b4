// The dev cluster's seeds: 'empty' (two namespaces) and 'demo' (an OpenAB fleet made
// from the real chart's objects, with Codex homes in every state the dashboard shows).
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { codexFieldFacts } from '../runtime/codex-versions';
import { agentObjectName, codexImageFor, loadChartFixture, namespaceObject, renderAgentObjects, type K8sObject } from './chart';
import {
  brokenSkill,
  buildAuthFile,
  buildCodexConfig,
  deliverySkill,
  releaseNotesSkill,
  systemSkills,
  type AuthFile,
  type CodexConfigFile,
  type SkillFile,
} from './codex-files';
import { BOT_ROLE_ID, canPostFiles, channelPermissions, guildRoles, overwritesFor, type Overwrite } from './discord-permissions';
import { DEFAULT_DEMO_AGENTS, planFleet, type AgentPlan } from './fleet';
import { ensureImagePool, IMAGE_POOL_SIZE, type ImagePool } from './image-pool';
import { createRng, hashString } from './random';
import { placeRealSession, type RealScenario } from './real-sessions';
import { buildRollout, rolloutDir, rolloutFileName, type Sender, type TurnPlan, type UploadOutcome } from './rollouts';
import type { SeedAgent, SeedDiscord, SeedOptions, SeedResult } from './types';

export type { SeedAgent, SeedDiscord, SeedOptions, SeedResult } from './types';
export { chartFullname, agentObjectName } from './chart';
export { SEED_CACHE_VERSION, seedCacheRoot } from './image-pool';

/** The fake bot token in every agent's chart Secret; the fake Discord accepts it. */
export const DEMO_BOT_TOKEN = 'MTE5ODc2NTQzMjEwOTg3NjU0.DEMOFK.demo-bot-token-FAKE-not-for-discord-4f9c2a7e1b';
export const DEMO_GUILD_ID = '998877665544332211';
export const DEMO_BOT_USER_ID = '119876543210987654';
export { PERMISSION, channelPermissions, canPostFiles } from './discord-permissions';
/** Pod uid/gid of the chart (runAsUser 1000): volume files belong to it, as on a real PVC. */
const POD_UID = 1000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Builds the seed's objects and writes its volumes under opts.dataDir. */
export async function buildSeed(kind: 'demo' | 'empty', opts: SeedOptions): Promise<SeedResult> {
  if (kind === 'empty') {
    return {
      objects: [namespaceObject('default'), namespaceObject('agents')],
      volumes: {},
      crashLooping: [],
      discord: { botToken: DEMO_BOT_TOKEN, guildId: DEMO_GUILD_ID, botUserId: DEMO_BOT_USER_ID, channels: [] },
      logs: {},
      agents: [],
      secretMarkers: [DEMO_BOT_TOKEN],
    };
  }
  if (kind !== 'demo') throw new Error(`unknown seed: ${String(kind)}`);
  const pool = await ensureImagePool();
  return materialiseDemo(opts, pool, Date.now());
}

/** Renders the image cache ahead of time (CI, demo start), so the first seed is quick. */
export async function warmSeedCache(): Promise<void> {
  await ensureImagePool();
}

/**
 * Values that must never leave a pod or the server, stable across runs (the parts of
 * every token that do not depend on the clock: JWT signatures, keys, refresh tokens).
 */
export function demoSecretMarkers(agents: number = DEFAULT_DEMO_AGENTS): string[] {
  const markers = new Set<string>([DEMO_BOT_TOKEN]);
  for (const plan of planFleet(agents, IMAGE_POOL_SIZE)) {
    const { auth, config } = composeCodexFiles(plan, 0);
    for (const secret of [...auth.secrets, ...config.secrets]) markers.add(stableMarker(secret));
  }
  return [...markers];
}

export const DEMO_SECRET_MARKERS: string[] = demoSecretMarkers();

function stableMarker(secret: string): string {
  const parts = secret.split('.');
  return parts.length === 3 && secret.startsWith('eyJ') ? parts[2] : secret;
}

function composeCodexFiles(plan: AgentPlan, nowMs: number): { auth: AuthFile; config: CodexConfigFile } {
  const tag = `${plan.namespace}-${plan.agentKey}`;
  const auth = buildAuthFile({
    state: plan.login,
    agentTag: tag,
    email: plan.email,
    plan: plan.plan,
    nowMs,
    rng: createRng(`secrets-${plan.index}`),
  });
  const config = buildCodexConfig({
    approval: plan.approval,
    autoReviewer: codexFieldFacts(plan.codexVersion).autoReviewer,
    imageGeneration: plan.imageGeneration,
    rich: plan.richConfig,
    unparseable: plan.unparseableConfig,
    mcpSecret: `ghp_DEMOFAKEmcp${plan.index}${createRng(`mcp-${plan.index}`).alnum(30)}`,
  });
  return { auth, config };
}

interface VolumeWriter {
  dirs: Set<string>;
  files: Array<{ path: string; content: string | Buffer; mode?: number }>;
  /** Images copied from the pool, with the time Codex made them. */
  links: Array<{ from: string; to: string; mtimeMs: number }>;
  /** Images cut short after `bytes`. */
  truncated: Array<{ from: string; to: string; mtimeMs: number; bytes: number }>;
  symlinks: Array<{ path: string; target: string }>;
}

async function materialiseDemo(opts: SeedOptions, pool: ImagePool, nowMs: number): Promise<SeedResult> {
  const plans = planFleet(opts.agents, pool.images.length);
  const volumesRoot = path.join(opts.dataDir, 'volumes');
  await fs.rm(volumesRoot, { recursive: true, force: true });

  const objects: K8sObject[] = ['agents', 'team-b'].map(namespaceObject);
  const volumes: Record<string, string> = {};
  const crashLooping: string[] = [];
  const logs: Record<string, string[]> = {};
  const agents: SeedAgent[] = [];
  const secrets = new Set<string>([DEMO_BOT_TOKEN]);
  const discord: SeedDiscord = {
    botToken: DEMO_BOT_TOKEN,
    guildId: DEMO_GUILD_ID,
    botUserId: DEMO_BOT_USER_ID,
    roles: guildRoles(DEMO_GUILD_ID),
    botRoleIds: [BOT_ROLE_ID],
    channels: [],
  };
  const writer: VolumeWriter = { dirs: new Set(), files: [], links: [], truncated: [], symlinks: [] };

  for (const plan of plans) {
    const name = agentObjectName(plan.release, plan.agentKey);
    const key = `${plan.namespace}/${name}`;
    const volumeDir = path.join(volumesRoot, plan.namespace, name);
    volumes[key] = volumeDir;
    writer.dirs.add(volumeDir);

    const channelRng = createRng(`channels-${plan.index}`);
    const channels = plan.channelAccess.map((access, i) => {
      const permissionOverwrites = overwritesFor(access, DEMO_GUILD_ID, DEMO_BOT_USER_ID);
      const perms = botPermissions(permissionOverwrites);
      return {
        id: `1${channelRng.digits(17)}`,
        name: `${plan.namespace === 'agents' ? '' : `${plan.namespace}-`}${plan.agentKey}-${i === 0 ? 'requests' : 'art'}`,
        botCanPost: canPostFiles(perms, false),
        botCanPostInThreads: canPostFiles(perms, true),
        permissionOverwrites,
      };
    });
    for (const ch of channels) {
      discord.channels.push({
        id: ch.id,
        name: ch.name,
        type: 'text',
        botCanPost: ch.botCanPost,
        permissionOverwrites: ch.permissionOverwrites,
      });
    }

    objects.push(
      ...renderAgentObjects({
        namespace: plan.namespace,
        release: plan.release,
        agentKey: plan.agentKey,
        template: 'codex',
        homeDir: plan.homeDir,
        image: codexImageFor(plan.codexVersion),
        openabConfigToml: openabConfig({
          channels: channels.map((c) => c.id),
          command: 'codex-acp',
          args: [],
          workingDir: plan.homeDir,
          tokenPassing: plan.tokenPassing,
        }),
        secretData: { 'discord-bot-token': DEMO_BOT_TOKEN },
      }),
    );

    const { auth, config } = composeCodexFiles(plan, nowMs);
    for (const s of [...auth.secrets, ...config.secrets]) {
      secrets.add(s);
      secrets.add(stableMarker(s));
    }
    const codexDir = path.join(volumeDir, '.codex');
    writer.dirs.add(codexDir);
    if (auth.text !== undefined) {
      writer.files.push({ path: path.join(codexDir, 'auth.json'), content: auth.text, mode: 0o600 });
      writer.files.push({ path: path.join(codexDir, 'auth.json.lock'), content: '', mode: 0o600 });
    }
    writer.files.push({ path: path.join(codexDir, 'config.toml'), content: config.text, mode: 0o644 });
    const skillFiles = skillsFor(plan);
    for (const skill of skillFiles) {
      writer.files.push({ path: path.join(codexDir, skill.path), content: skill.text, mode: skill.mode ?? 0o644 });
    }

    const sessions = planSessions(plan, pool, channels, nowMs);
    const uploads: Record<string, number> = {};
    const contentRng = createRng(`rollouts-${plan.index}`);
    for (const session of sessions) {
      const inline = plan.inlineImageResults
        ? (callId: string) => {
            const image = session.images.find((i) => i.callId === callId)!;
            return readFileSync(path.join(pool.dir, pool.images[image.poolIndex].file)).toString('base64');
          }
        : undefined;
      const { text, uploads: made } = buildRollout(session.plan, contentRng, inline);
      const dir = path.join(codexDir, rolloutDir(session.plan.startMs));
      writer.files.push({ path: path.join(dir, rolloutFileName(session.plan.threadId, session.plan.startMs)), content: text, mode: 0o644 });
      for (const u of made) uploads[u.outcome] = (uploads[u.outcome] ?? 0) + 1;
      for (const turn of session.plan.turns) {
        if (turn.image && !turn.upload) uploads['never-sent'] = (uploads['never-sent'] ?? 0) + 1;
      }
      for (const image of session.images) {
        writer.links.push({
          from: path.join(pool.dir, pool.images[image.poolIndex].file),
          to: path.join(codexDir, 'generated_images', session.plan.threadId, `${image.callId}.png`),
          mtimeMs: image.mtimeMs,
        });
      }
      const parent = channels[session.channelIndex];
      discord.channels.push({
        id: session.plan.discordThreadId,
        name: session.threadName,
        type: 'thread',
        parentId: parent.id,
        botCanPost: parent.botCanPostInThreads,
      });
    }

    let realSessions = 0;
    if (plan.realCodexSessions) {
      for (const [i, real] of (pool.realSessions[plan.codexVersion] ?? []).entries()) {
        const rng = createRng(`real-${plan.index}-${i}`);
        const startMs = Math.floor((nowMs - (5 + i * 7) * HOUR) / 1000) * 1000;
        const discordThreadId = `1${rng.digits(17)}`;
        const placed = placeRealSession(readFileSync(real.file, 'utf8'), {
          homeDir: plan.homeDir,
          channelId: channels[0].id,
          threadId: discordThreadId,
          senderId: SENDERS[2].id,
          botUserId: DEMO_BOT_USER_ID,
          startMs,
        });
        writer.files.push({
          path: path.join(codexDir, rolloutDir(startMs), rolloutFileName(real.threadId, startMs)),
          content: placed.text,
          mode: 0o644,
        });
        writer.links.push({
          from: real.image,
          to: path.join(codexDir, 'generated_images', real.threadId, `${real.imageCallId}.png`),
          mtimeMs: placed.imageMs,
        });
        discord.channels.push({
          id: discordThreadId,
          name: real.prompt.slice(0, 48),
          type: 'thread',
          parentId: channels[0].id,
          botCanPost: channels[0].botCanPostInThreads,
        });
        const outcome = REAL_OUTCOMES[real.scenario];
        uploads[outcome] = (uploads[outcome] ?? 0) + 1;
        realSessions++;
      }
    }

    const strayFiles = plan.hostileFiles ? addHostileFiles(writer, codexDir, sessions) : [];

    if (plan.crashLooping) crashLooping.push(key);
    logs[key] = openabLogLines(
      plan,
      channels.map((c) => c.id),
      nowMs,
    );
    agents.push({
      namespace: plan.namespace,
      release: plan.release,
      agentKey: plan.agentKey,
      name,
      codex: true,
      homeDir: plan.homeDir,
      login: loginLabel(plan, auth),
      email: auth.expect.email,
      plan: auth.expect.plan,
      apiKeyMasked: auth.expect.apiKeyMasked,
      accessTokenExpires: auth.expect.accessTokenExp,
      lastRefresh: auth.expect.lastRefresh,
      approval: plan.unparseableConfig ? 'invalid' : plan.approval,
      ...(plan.approval === 'auto-review' && !plan.unparseableConfig
        ? { autoReviewer: config.expect.approvalsReviewer as SeedAgent['autoReviewer'] }
        : {}),
      codexVersion: plan.codexVersion,
      configLoads: !plan.unparseableConfig,
      imageGeneration: plan.imageGeneration ?? codexFieldFacts(plan.codexVersion).imageGenerationDefault,
      images: plan.imageCount + realSessions,
      sessions: sessions.length + realSessions,
      ...(realSessions ? { realCodexSessions: realSessions } : {}),
      crashLooping: plan.crashLooping,
      allowedChannels: channels.map((c) => c.id),
      skills: skillFiles.filter((f) => f.path.endsWith('SKILL.md')).map((f) => f.path.split('/').slice(1, -1).join('/')),
      tokenPassing: plan.tokenPassing,
      uploads,
      ...(strayFiles.length ? { strayFiles } : {}),
    });
  }

  const kiro = kiroAgent(volumesRoot, writer);
  objects.push(...kiro.objects);
  volumes[kiro.key] = kiro.volumeDir;
  logs[kiro.key] = kiro.logs;
  discord.channels.push(kiro.channel);
  agents.push(kiro.agent);

  await writeVolumes(writer);
  const codexKeys = [...new Set(agents.filter((a) => a.codex).map((a) => a.agentKey))].sort(naturalOrder);
  const codexSelector = `app.kubernetes.io/name=openab,app.kubernetes.io/component in (${codexKeys.join(',')})`;
  return { objects, volumes, crashLooping, discord, logs, agents, secretMarkers: [...secrets], codexSelector };
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * What the gallery must survive: the last image cut short (a crash mid-write), a symlink
 * in generated_images pointing at auth.json, and a file that is not an image.
 * Returns their paths relative to the Codex home.
 */
function addHostileFiles(writer: VolumeWriter, codexDir: string, sessions: PlannedSession[]): string[] {
  const withImages = sessions.filter((s) => s.images.length > 0);
  if (withImages.length === 0) return [];
  const thread = withImages[0].plan.threadId;
  const lastSession = withImages[withImages.length - 1];
  const last = lastSession.images[lastSession.images.length - 1];
  const link = writer.links.find((l) => l.to.endsWith(`/${last.callId}.png`))!;
  writer.links.splice(writer.links.indexOf(link), 1);
  writer.truncated.push({ ...link, bytes: 1500 });
  const dir = path.join(codexDir, 'generated_images', thread);
  writer.symlinks.push({ path: path.join(dir, 'ig_escape.png'), target: '../../auth.json' });
  writer.files.push({ path: path.join(dir, 'notes.txt'), content: 'prompt ideas: fox, skyline, sticker\n' });
  return [path.relative(codexDir, link.to), `generated_images/${thread}/ig_escape.png`, `generated_images/${thread}/notes.txt`];
}

function botPermissions(overwrites: Overwrite[]): bigint {
  return channelPermissions({
    guildId: DEMO_GUILD_ID,
    roles: guildRoles(DEMO_GUILD_ID),
    memberRoleIds: [BOT_ROLE_ID],
    memberId: DEMO_BOT_USER_ID,
    overwrites,
  });
}

function loginLabel(plan: AgentPlan, auth: AuthFile): SeedAgent['login'] {
  if (plan.login === 'chatgpt-expiring') return 'expiring';
  if (plan.login === 'chatgpt') return 'chatgpt';
  return auth.expect.mode === 'chatgpt' ? 'expired' : (plan.login as SeedAgent['login']);
}

function skillsFor(plan: AgentPlan): SkillFile[] {
  const out: SkillFile[] = [];
  for (const set of plan.skills) {
    if (set === 'delivery') out.push(...deliverySkill());
    if (set === 'system') out.push(...systemSkills());
    if (set === 'release-notes') out.push(...releaseNotesSkill());
    if (set === 'broken') out.push(...brokenSkill());
  }
  return out;
}

function openabConfig(opts: {
  channels: string[];
  command: string;
  args: string[];
  workingDir: string;
  tokenPassing: 'env' | 'inherit_env' | 'none';
}): string {
  const agentExtra =
    opts.tokenPassing === 'env'
      ? ['env = { DISCORD_BOT_TOKEN = "${DISCORD_BOT_TOKEN}" }']
      : opts.tokenPassing === 'inherit_env'
        ? ['inherit_env = ["DISCORD_BOT_TOKEN"]']
        : [];
  return [
    '[discord]',
    'bot_token = "${DISCORD_BOT_TOKEN}"',
    'allow_all_channels = false',
    'allow_all_users = true',
    `allowed_channels = [${opts.channels.map((c) => JSON.stringify(c)).join(', ')}]`,
    'allowed_users = []',
    '',
    '[agent]',
    `command = ${JSON.stringify(opts.command)}`,
    `args = [${opts.args.map((a) => JSON.stringify(a)).join(',')}]`,
    `working_dir = ${JSON.stringify(opts.workingDir)}`,
    ...agentExtra,
    '',
    '[pool]',
    'max_sessions = 10',
    'session_ttl_hours = 24',
    '',
    '[reactions]',
    'enabled = true',
    'remove_after_reply = false',
    '',
  ].join('\n');
}

const REAL_OUTCOMES: Record<RealScenario, string> = {
  delivered: 'ok',
  refused: 'missing-permissions',
  'fail-flag': 'curl-fail-22',
  'not-sent': 'never-sent',
};

const SENDERS: Sender[] = [
  { id: '284756019384756102', name: 'mika.t', displayName: 'Mika' },
  { id: '318274650192837465', name: 'jordan_r', displayName: 'Jordan R.' },
  { id: '402918374650192834', name: 'priya.k', displayName: 'Priya' },
  { id: '517263849501928374', name: 'sam-ops', displayName: 'Sam (ops)' },
  { id: '629384756102938475', name: 'lee.w', displayName: 'Lee' },
];

const PROMPTS = [
  'Draw a watercolor fox reading a newspaper',
  'Make a banner for our release notes, dark theme, neon accents',
  'Generate a diagram-style illustration of a Kubernetes pod with a sidecar',
  'Create a cute robot mascot waving, flat vector style',
  'Sketch a mountain landscape at dawn for the team wallpaper',
  'Design an icon for the deploy button, rounded, blue',
  'Render a low-poly city skyline at night',
  'Make a sticker of a coffee cup with a rocket',
  'Generate a pixel-art dragon guarding a server rack',
  'Create a poster for the hack week kickoff',
];
const TEXT_PROMPTS = [
  'What changed in the last deploy?',
  'Summarise the open incidents for me',
  'Can you check why the nightly job failed?',
  'Remind me how to rotate the bot token',
];

interface PlannedSession {
  plan: Parameters<typeof buildRollout>[0];
  images: Array<{ poolIndex: number; callId: string; mtimeMs: number }>;
  channelIndex: number;
  threadName: string;
}

/** When pool image k was made: clusters of five a few minutes apart, spread over five weeks. */
function imageTimeMs(poolIndex: number, nowMs: number): number {
  const cluster = Math.floor(poolIndex / 5);
  const offset = HOUR + Math.floor((hashString(`cluster-${cluster}`) / 4294967296) * 34 * DAY);
  return Math.floor((nowMs - offset) / 1000) * 1000 + (poolIndex % 5) * 4 * MINUTE;
}

function planSessions(
  plan: AgentPlan,
  pool: ImagePool,
  channels: Array<{ id: string; botCanPost: boolean }>,
  nowMs: number,
): PlannedSession[] {
  const rng = createRng(`sessions-${plan.index}`);
  const written = buildCodexConfig({ approval: plan.approval, autoReviewer: codexFieldFacts(plan.codexVersion).autoReviewer }).expect;
  // No key set (the guide's table is ignored): Codex's defaults, on-request with the user reviewing.
  const approvalPolicy = written.approvalPolicy ?? 'on-request';
  const approvalsReviewer = written.approvalsReviewer;
  const sandboxMode = plan.approval === 'full-access' ? 'danger-full-access' : 'workspace-write';
  // The random draws keep their order (thread id, Discord thread, sender): the seed stays the same.
  const sessionPlan = (startMs: number, channelId: string, turns: TurnPlan[]): PlannedSession['plan'] => ({
    threadId: rng.uuidV7(startMs),
    startMs,
    homeDir: plan.homeDir,
    approvalPolicy,
    approvalsReviewer,
    sandboxMode,
    channelId,
    discordThreadId: `1${rng.digits(17)}`,
    sender: rng.pick(SENDERS),
    botUserId: DEMO_BOT_USER_ID,
    turns,
  });
  const groups = new Map<number, number[]>();
  for (let j = 0; j < plan.imageCount; j++) {
    const k = (plan.poolStart + j) % pool.images.length;
    const cluster = Math.floor(k / 5);
    if (!groups.has(cluster)) groups.set(cluster, []);
    groups.get(cluster)!.push(j);
  }
  const sessions: PlannedSession[] = [];
  let ordinal = 0;
  for (const js of groups.values()) {
    const channelIndex = ordinal++ % channels.length;
    const turns: TurnPlan[] = [];
    const images: PlannedSession['images'] = [];
    const dropFirstThreadId = rng.next() < 0.2;
    for (const [t, j] of js.entries()) {
      const k = (plan.poolStart + j) % pool.images.length;
      const at = imageTimeMs(k, nowMs);
      const meta = pool.images[k];
      const callId = `ig_${rng.hex(40)}`;
      const prompt = rng.pick(PROMPTS);
      const outcome: UploadOutcome | undefined = plan.outcomeFor(j, channelIndex);
      turns.push({
        atMs: at - 30_000,
        prompt,
        withThreadId: !(t === 0 && dropFirstThreadId),
        image: {
          callId,
          width: meta.width,
          height: meta.height,
          bytes: meta.bytes,
          revisedPrompt: `${prompt}, highly detailed, soft lighting, ${meta.width}x${meta.height}`,
        },
        upload: outcome,
      });
      images.push({ poolIndex: k, callId, mtimeMs: at });
    }
    const startMs = turns[0].atMs - rng.int(5_000, 90_000);
    sessions.push({
      plan: sessionPlan(startMs, channels[channelIndex].id, turns),
      images,
      channelIndex,
      threadName: turns[0].prompt.slice(0, 48),
    });
  }
  for (let s = 0; s < plan.textSessions; s++) {
    const startMs = Math.floor((nowMs - (s * 9 + 2) * HOUR - rng.int(0, 50) * MINUTE) / 1000) * 1000;
    const turns: TurnPlan[] = [];
    for (let t = 0, n = rng.int(1, 3); t < n; t++) {
      turns.push({ atMs: startMs + 5_000 + t * rng.int(2, 9) * MINUTE, prompt: rng.pick(TEXT_PROMPTS), withThreadId: true });
    }
    sessions.push({
      plan: sessionPlan(startMs, channels[0].id, turns),
      images: [],
      channelIndex: 0,
      threadName: turns[0].prompt.slice(0, 48),
    });
  }
  return sessions;
}

function openabLogLines(plan: AgentPlan, channels: string[], nowMs: number): string[] {
  const start = nowMs - 3 * HOUR;
  const ts = (offsetMs: number) => new Date(start + offsetMs).toISOString().replace('Z', '000Z');
  const lines = [
    `${ts(0)}  INFO openab: starting openab version=0.8.3-beta.4`,
    `${ts(12)}  INFO openab::config: loaded config path=/etc/openab/config.toml`,
    `${ts(15)}  INFO openab::agent: agent command=codex-acp working_dir=${plan.homeDir}`,
    `${ts(420)}  INFO openab::discord: connected to gateway session_id=${createRng(`gw-${plan.index}`).hex(32)}`,
    `${ts(431)}  INFO openab::discord: listening allowed_channels=${channels.length} channels=[${channels.join(',')}]`,
  ];
  if (plan.crashLooping) {
    lines.push(
      `${ts(1210)}  INFO openab::pool: spawning agent session thread=${channels[0]}`,
      plan.login === 'none'
        ? `${ts(1893)} ERROR openab::acp: agent process exited during initialize status=exit status: 1 stderr="Error: Not logged in. Run codex login."`
        : `${ts(1893)} ERROR openab::acp: agent process exited during initialize status=signal: 9 (SIGKILL)`,
      `${ts(1894)} ERROR openab: fatal: agent failed to initialize; exiting`,
    );
  } else {
    lines.push(
      `${ts(60_000)}  INFO openab::pool: spawning agent session thread=${channels[0]}`,
      `${ts(61_200)}  INFO openab::acp: session ready`,
      `${ts(95_000)}  INFO openab::discord: reply sent chars=412`,
    );
  }
  return lines;
}

function kiroAgent(volumesRoot: string, writer: VolumeWriter) {
  const fixture = loadChartFixture();
  const fixtureConfig: string = fixture.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'openab-kiro')!.data['config.toml'];
  const channelId = '104857600000000001';
  const config = fixtureConfig.replace('"YOUR_CHANNEL_ID"', JSON.stringify(channelId));
  const namespace = 'agents';
  const release = 'openab';
  const name = agentObjectName(release, 'kiro');
  const objects = renderAgentObjects({
    namespace,
    release,
    agentKey: 'kiro',
    template: 'kiro',
    homeDir: '/home/agent',
    openabConfigToml: config,
  });
  const volumeDir = path.join(volumesRoot, namespace, name);
  writer.dirs.add(volumeDir);
  writer.files.push({
    path: path.join(volumeDir, '.kiro', 'settings', 'cli.json'),
    content: JSON.stringify({ 'chat.defaultModel': 'claude-sonnet-4', 'telemetry.enabled': false }, null, 2) + '\n',
  });
  const agent: SeedAgent = {
    namespace,
    release,
    agentKey: 'kiro',
    name,
    codex: false,
    homeDir: '/home/agent',
    login: 'none',
    approval: 'manual',
    configLoads: true,
    imageGeneration: false,
    images: 0,
    sessions: 0,
    crashLooping: false,
    allowedChannels: [channelId],
    skills: [],
    tokenPassing: 'none',
    uploads: {},
  };
  const start = Date.now() - 3 * HOUR;
  return {
    objects,
    key: `${namespace}/${name}`,
    volumeDir,
    agent,
    channel: { id: channelId, name: 'kiro-playground', type: 'text' as const, botCanPost: true, permissionOverwrites: [] },
    logs: [
      `${new Date(start).toISOString()}  INFO openab: starting openab version=0.8.3-beta.4`,
      `${new Date(start + 20).toISOString()}  INFO openab::agent: agent command=kiro-cli working_dir=/home/agent`,
    ],
  };
}

async function writeVolumes(writer: VolumeWriter): Promise<void> {
  const dirs = new Set(writer.dirs);
  for (const f of writer.files) addParents(dirs, path.dirname(f.path));
  for (const l of [...writer.links, ...writer.truncated]) addParents(dirs, path.dirname(l.to));
  for (const l of writer.symlinks) addParents(dirs, path.dirname(l.path));
  const sortedDirs = [...dirs].sort((a, b) => a.length - b.length);
  for (const dir of sortedDirs) await fs.mkdir(dir, { recursive: true });

  await inBatches(writer.files, 64, (f) => fs.writeFile(f.path, f.content, { mode: f.mode ?? 0o644 }));
  // Images are copied, not hard-linked: the dev cluster chowns each volume to the pod's
  // uid, and a pod may rewrite its files; either would reach through a link into the
  // shared pool. Copying the default fleet's ~150 MB takes about 0.2 s from page cache.
  await inBatches(writer.links, 32, async (l) => {
    await fs.copyFile(l.from, l.to);
    await fs.chmod(l.to, 0o644);
    const when = new Date(l.mtimeMs);
    await fs.utimes(l.to, when, when);
  });

  for (const t of writer.truncated) {
    const handle = await fs.open(t.from, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(t.bytes), 0, t.bytes, 0);
      await fs.writeFile(t.to, buffer.subarray(0, bytesRead), { mode: 0o644 });
    } finally {
      await handle.close();
    }
    await fs.utimes(t.to, new Date(t.mtimeMs), new Date(t.mtimeMs));
  }
  for (const s of writer.symlinks) await fs.symlink(s.target, s.path);

  // As on a real PVC with fsGroup 1000, the pod's user owns its home.
  if (process.getuid?.() === 0) {
    const owned = [
      ...sortedDirs,
      ...writer.files.map((f) => f.path),
      ...[...writer.links, ...writer.truncated].map((l) => l.to),
      ...writer.symlinks.map((l) => l.path),
    ];
    await inBatches(owned, 128, (p) => fs.lchown(p, POD_UID, POD_UID));
  }
}

/** Adds dir and its parents up to the volume directory that holds it (already in dirs). */
function addParents(dirs: Set<string>, dir: string): void {
  while (!dirs.has(dir)) {
    dirs.add(dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`seed file outside every volume: ${dir}`);
    dir = parent;
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
