// Who is in the demo fleet and in which state: the first eight agents cover every
// state the dashboard must show, on every Codex version of the field (each on a running
// agent, each with its own real sessions); agents beyond them (e.g. --agents 50) vary
// healthily and cycle through the versions.
import { FIELD_CODEX_VERSIONS, type FieldCodexVersion } from '../runtime/codex-versions';
import type { ApprovalMode, LoginState } from './codex-files';
import type { ChannelAccess } from './discord-permissions';
import type { UploadOutcome } from './rollouts';

export const DEMO_NAMESPACES = ['agents', 'team-b'] as const;
export const RELEASE_BY_NAMESPACE: Record<string, string> = { agents: 'openab', 'team-b': 'team-b' };
export const MIN_DEMO_AGENTS = 6;
export const DEFAULT_DEMO_AGENTS = 8;

export type SkillSet = 'delivery' | 'system' | 'release-notes' | 'broken';
/** How OpenAB's own config.toml lets the bot token reach Codex (it clears the environment). */
export type TokenPassing = 'env' | 'inherit_env' | 'none';

export interface AgentPlan {
  index: number;
  namespace: string;
  release: string;
  agentKey: string;
  homeDir: string;
  login: LoginState;
  plan: string;
  email: string;
  approval: ApprovalMode;
  /** The Codex its pod runs (its image tag names it), as fleets built at different times do. */
  codexVersion: FieldCodexVersion;
  imageGeneration?: boolean;
  richConfig: boolean;
  unparseableConfig: boolean;
  imageCount: number;
  /** First pool image this agent's images are taken from. */
  poolStart: number;
  skills: SkillSet[];
  crashLooping: boolean;
  tokenPassing: TokenPassing;
  /** One entry per allowed channel: the bot's permissions there. */
  channelAccess: ChannelAccess[];
  /** Upload outcome for the agent's j-th image; undefined = never sent. */
  outcomeFor(j: number, channelIndex: number): UploadOutcome | undefined;
  /** Chat-only sessions besides those with images. */
  textSessions: number;
  /** Keep each image's base64 in its rollout, as Codex does (multi-MB JSONL lines). */
  inlineImageResults?: boolean;
  /** A truncated PNG, a symlink out of generated_images (to auth.json) and a text file. */
  hostileFiles?: boolean;
  /** Add the sessions its own Codex version recorded for real (they ran with Full access). */
  realCodexSessions?: boolean;
}

type Template = Omit<AgentPlan, 'index' | 'namespace' | 'release' | 'agentKey' | 'poolStart'> & { namespace: string };

const coverEveryOutcome = (j: number): UploadOutcome | undefined => {
  switch (j % 20) {
    case 3:
      return 'missing-permissions';
    case 7:
      return undefined;
    case 11:
      return 'too-large';
    case 13:
      return j % 40 === 13 ? 'curl-dns' : 'curl-timeout';
    case 17:
      return 'curl-fail-22';
    case 19:
      return undefined;
    default:
      return 'ok';
  }
};

const TEMPLATES: Template[] = [
  {
    codexVersion: '0.169.0',
    namespace: 'agents',
    homeDir: '/home/node',
    login: 'chatgpt',
    plan: 'plus',
    email: 'design-team@example.com',
    approval: 'auto-review',
    richConfig: true,
    unparseableConfig: false,
    imageCount: 300,
    skills: ['delivery', 'system'],
    crashLooping: false,
    tokenPassing: 'env',
    channelAccess: ['open'],
    outcomeFor: coverEveryOutcome,
    textSessions: 4,
    realCodexSessions: true,
  },
  {
    codexVersion: '0.171.0',
    namespace: 'agents',
    homeDir: '/home/node',
    login: 'apikey',
    plan: '',
    email: '',
    approval: 'manual',
    imageGeneration: false,
    richConfig: false,
    unparseableConfig: false,
    imageCount: 0,
    skills: [],
    crashLooping: false,
    tokenPassing: 'none',
    channelAccess: ['private'],
    outcomeFor: () => 'ok',
    textSessions: 3,
  },
  {
    // On 0.121, which knows Auto-review only as guardian_subagent: an operator switching this
    // custom setting to Auto-review gets the name it accepts. image_generation enabled by hand
    // (0.121 ships it off), as on every 0.121 agent that makes images.
    codexVersion: '0.121.0',
    namespace: 'team-b',
    homeDir: '/home/node',
    login: 'chatgpt-expiring',
    plan: 'team',
    email: 'ops@team-b.example.org',
    approval: 'custom',
    imageGeneration: true,
    richConfig: false,
    unparseableConfig: false,
    imageCount: 24,
    skills: ['broken', 'system'],
    crashLooping: false,
    tokenPassing: 'inherit_env',
    channelAccess: ['no-attach', 'open'],
    // The first channel lacks Attach Files: curl without --fail "succeeds" with Discord's 50013 body.
    outcomeFor: (j, ch) =>
      ch === 0 ? (j % 4 === 1 ? 'curl-fail-22' : j % 4 === 3 ? undefined : 'missing-permissions') : j % 3 === 2 ? undefined : 'ok',
    textSessions: 1,
  },
  {
    // Written per OpenAB's guide ([sandbox] table): flagged, and repaired with one action.
    codexVersion: '0.137.0',
    namespace: 'team-b',
    homeDir: '/home/node',
    login: 'none',
    plan: '',
    email: '',
    approval: 'guide-sandbox',
    richConfig: false,
    unparseableConfig: false,
    imageCount: 6,
    skills: [],
    crashLooping: false,
    tokenPassing: 'env',
    channelAccess: ['open'],
    outcomeFor: (j) => (j % 2 ? undefined : 'ok'),
    textSessions: 0,
    inlineImageResults: true,
    realCodexSessions: true,
  },
  {
    codexVersion: '0.128.0',
    namespace: 'agents',
    homeDir: '/home/agent',
    login: 'expired',
    plan: 'pro',
    email: 'research-bot@example.com',
    approval: 'full-access',
    imageGeneration: true,
    richConfig: false,
    unparseableConfig: false,
    imageCount: 40,
    skills: ['release-notes'],
    crashLooping: false,
    tokenPassing: 'env',
    channelAccess: ['member-override'],
    outcomeFor: (j) => (['ok', 'curl-dns', 'ok', 'curl-timeout', undefined, 'too-large'] as const)[j % 6],
    textSessions: 1,
    realCodexSessions: true,
  },
  {
    // Auto-review under the older reviewer name, the only one 0.121 accepts.
    codexVersion: '0.121.0',
    namespace: 'team-b',
    homeDir: '/home/node',
    login: 'unreadable',
    plan: 'plus',
    email: 'qa@team-b.example.org',
    approval: 'auto-review',
    imageGeneration: true,
    richConfig: false,
    unparseableConfig: false,
    imageCount: 12,
    skills: [],
    crashLooping: false,
    tokenPassing: 'none',
    channelAccess: ['open'],
    outcomeFor: (j) => (j === 4 ? 'too-large' : undefined),
    textSessions: 0,
    hostileFiles: true,
    realCodexSessions: true,
  },
  {
    codexVersion: '0.171.0',
    namespace: 'agents',
    homeDir: '/home/node',
    login: 'chatgpt',
    plan: 'pro',
    email: 'sandbox@example.com',
    approval: 'manual',
    richConfig: false,
    unparseableConfig: true,
    imageCount: 3,
    skills: [],
    crashLooping: false,
    tokenPassing: 'env',
    channelAccess: ['open'],
    outcomeFor: (j) => (j === 1 ? undefined : 'ok'),
    textSessions: 0,
    inlineImageResults: true,
    realCodexSessions: true,
  },
  {
    // Crash-looping: the dashboard cannot probe it, so it carries no state found nowhere else.
    codexVersion: '0.128.0',
    namespace: 'team-b',
    homeDir: '/home/node',
    login: 'chatgpt',
    plan: 'plus',
    email: 'support@team-b.example.org',
    approval: 'manual',
    imageGeneration: true,
    richConfig: false,
    unparseableConfig: false,
    imageCount: 15,
    skills: ['delivery'],
    crashLooping: true,
    tokenPassing: 'inherit_env',
    channelAccess: ['open', 'no-thread-send'],
    // The art channel's threads refuse the bot (Send Messages in Threads denied).
    outcomeFor: (j, ch) => (j % 5 === 4 ? undefined : ch === 1 ? 'missing-permissions' : 'ok'),
    textSessions: 1,
  },
];

const EXTRA_LOGINS: LoginState[] = ['chatgpt', 'chatgpt', 'apikey', 'chatgpt-expiring', 'chatgpt', 'expired', 'none'];
const EXTRA_APPROVALS: ApprovalMode[] = ['auto-review', 'manual', 'auto-review', 'full-access', 'custom'];
const PLANS = ['plus', 'pro', 'team', 'business'];

export function planFleet(requested: number | undefined, poolSize: number): AgentPlan[] {
  const count = Math.max(MIN_DEMO_AGENTS, Math.floor(requested ?? DEFAULT_DEMO_AGENTS));
  const perNamespace = new Map<string, number>();
  const nextKey = (ns: string) => {
    const n = (perNamespace.get(ns) ?? 0) + 1;
    perNamespace.set(ns, n);
    return n === 1 ? 'codex' : `codex-${n}`;
  };
  const plans: AgentPlan[] = [];
  let poolCursor = 0;
  for (let index = 0; index < count; index++) {
    const base = TEMPLATES[index] ?? extraTemplate(index);
    let poolStart: number;
    if (index < TEMPLATES.length) {
      poolStart = poolCursor % poolSize;
      poolCursor += base.imageCount;
    } else {
      // Larger fleets share pool images (hard links), at a different offset per agent.
      poolStart = (index * 37) % Math.max(1, poolSize - base.imageCount);
    }
    const { namespace, ...rest } = base;
    plans.push({
      ...rest,
      index,
      namespace,
      release: RELEASE_BY_NAMESPACE[namespace],
      agentKey: nextKey(namespace),
      poolStart,
    });
  }
  // A fleet smaller than the templates still has a crash-looping agent (at the cost of
  // its login state, which a dashboard cannot read from a pod that is not running).
  if (!plans.some((p) => p.crashLooping)) plans[3].crashLooping = true;
  return plans;
}

function extraTemplate(index: number): Template {
  const login = EXTRA_LOGINS[index % EXTRA_LOGINS.length];
  const namespace = DEMO_NAMESPACES[index % 2];
  return {
    namespace,
    codexVersion: FIELD_CODEX_VERSIONS[index % FIELD_CODEX_VERSIONS.length],
    homeDir: '/home/node',
    login,
    plan: PLANS[index % PLANS.length],
    email: `agent-${index + 1}@${namespace}.example.com`,
    approval: EXTRA_APPROVALS[index % EXTRA_APPROVALS.length],
    imageGeneration: index % 9 === 0 ? false : undefined,
    richConfig: false,
    unparseableConfig: false,
    imageCount: (index * 7) % 31,
    skills: index % 3 === 0 ? ['delivery'] : [],
    crashLooping: false,
    tokenPassing: (['env', 'inherit_env', 'none'] as const)[index % 3],
    channelAccess: ['open'],
    outcomeFor: (j) => (j % 6 === 5 ? undefined : j % 11 === 4 ? 'missing-permissions' : 'ok'),
    textSessions: index % 2,
  };
}
