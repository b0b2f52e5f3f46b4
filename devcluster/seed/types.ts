// The contract between the demo seed (devcluster/seed) and the API server.
export interface SeedResult {
  /**
   * Kubernetes objects to create at start, as a real install would have them:
   * Namespace, Deployment, Secret, ConfigMap, PersistentVolumeClaim
   * (metadata.namespace set on namespaced ones).
   */
  objects: Array<Record<string, any>>;
  /** Host directory holding the content of each PVC, keyed `namespace/claimName`. */
  volumes: Record<string, string>;
  /** Deployments (keyed `namespace/name`) whose pod must crash-loop. */
  crashLooping: string[];
  /** Channels, threads and the bot token the fake Discord serves. */
  discord: SeedDiscord;
  /**
   * Opening lines of each Deployment's `openab` container log, keyed `namespace/name`
   * (OpenAB's own log format), for the API server's pods/log.
   */
  logs?: Record<string, string[]>;
  /** What each seeded agent is, as a correct dashboard should report it. */
  agents?: SeedAgent[];
  /** Every secret value the seed wrote (tokens, keys, bot token, MCP secrets): none may leak. */
  secretMarkers?: string[];
  /**
   * A label selector matching every seeded Codex agent and nothing else. The chart's
   * default `component=codex` matches only agents keyed `codex` (one per release);
   * those keyed `codex-2`, `codex-3`, ... need the configurable selector.
   */
  codexSelector?: string;
}

export interface SeedOptions {
  /** Directory the seed may write volumes under (the cluster's temp dir). */
  dataDir: string;
  /** Number of Codex agents (demo default 8, at least 6). */
  agents?: number;
}

/** What the fake Discord API must know to answer like Discord for the seeded fleet. */
export interface SeedDiscord {
  botToken: string;
  guildId: string;
  channels: Array<{
    id: string;
    name: string;
    /** 'text' channel or a 'thread' under parentId. */
    type: 'text' | 'thread';
    parentId?: string;
    /** False where the bot lacks Send Messages / Attach Files (answers 403 code 50013). */
    botCanPost: boolean;
    /**
     * Discord's overwrites on a text channel (threads have none: their parent's apply,
     * with Send Messages in Threads instead of Send Messages). botCanPost agrees with them.
     */
    permissionOverwrites?: Array<{ id: string; type: 0 | 1; allow: string; deny: string }>;
  }>;
  /** The bot's user id (author of the messages it posts). */
  botUserId?: string;
  /** Guild roles (@everyone has the guild's id); permissions as decimal strings, as Discord sends them. */
  roles?: Array<{ id: string; name: string; permissions: string; position: number; managed: boolean }>;
  /** Roles of the bot's guild member. */
  botRoleIds?: string[];
}

/** The seeded truth about one agent (expected dashboard answers). */
export interface SeedAgent {
  namespace: string;
  release: string;
  /** The chart's agent key, also the `app.kubernetes.io/component` label. */
  agentKey: string;
  /** Deployment, Secret, ConfigMap and PVC name. */
  name: string;
  /** False for the kiro agent: it must not appear as a Codex agent. */
  codex: boolean;
  homeDir: string;
  login: 'chatgpt' | 'apikey' | 'expired' | 'expiring' | 'none' | 'unreadable';
  email?: string;
  plan?: string;
  /** An API key as Codex masks it (first 8, `***`, last 5). */
  apiKeyMasked?: string;
  /** access_token `exp` (RFC 3339) for ChatGPT logins. */
  accessTokenExpires?: string;
  lastRefresh?: string;
  /**
   * 'guide-sandbox': config.toml holds only OpenAB's guide `[sandbox]` table with
   * `approval_policy = "auto-review"`; Codex ignores it (no approval key set: Codex's default),
   * and a correct dashboard flags it (guide mistake 'sandbox-table', meant Auto-review).
   */
  approval: 'manual' | 'auto-review' | 'full-access' | 'custom' | 'guide-sandbox' | 'invalid';
  /** Auto-review's reviewer name as written: `guardian_subagent` on Codex 0.121 (it refuses `auto_review`). */
  autoReviewer?: 'auto_review' | 'guardian_subagent';
  /** The Codex version its pod runs (named by its image tag), as `codex --version` reports it; Codex agents only. */
  codexVersion?: string;
  /** False when Codex cannot load the agent's config.toml (every codex command fails). */
  configLoads: boolean;
  /** Effective image_generation (on by default from Codex 0.128, off by default on 0.121). */
  imageGeneration: boolean;
  images: number;
  sessions: number;
  /**
   * How many of `sessions` were recorded with the real Codex CLI of the agent's own version
   * (the rest follow Codex 0.169's shapes).
   */
  realCodexSessions?: number;
  crashLooping: boolean;
  allowedChannels: string[];
  skills: string[];
  /** How OpenAB passes the bot token to Codex: `[agent].env`, `inherit_env`, or not at all. */
  tokenPassing: 'env' | 'inherit_env' | 'none';
  /** Discord uploads in the agent's rollouts by outcome, and images never sent. */
  uploads: Record<string, number>;
  /**
   * Hostile entries under generated_images (paths relative to the Codex home): a
   * truncated PNG (counted in `images`), a symlink to ../../auth.json and a text file.
   */
  strayFiles?: string[];
}
