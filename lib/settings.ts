import 'server-only';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CODEX_DEFAULT_ISSUER } from './codex/device-login';
import { NotificationSettingsError, readNotificationSettings, type NotificationSettings } from './notifications/settings';

/** The dashboard's settings, read from the environment once per process. */
export interface Settings {
  /** Label selector that finds Codex agents (Deployments and their Pods). */
  agentSelector: string;
  /** Namespaces watched; null means all. */
  namespaces: string[] | null;
  /** Kubeconfig contexts shown as clusters; null means all of them. */
  contexts: string[] | null;
  /** Container to exec into (the chart's is `openab`). */
  containerName: string;
  /** How long a probe result is reused without touching the pod. */
  probeCacheMs: number;
  probeTimeoutMs: number;
  probeConcurrency: number;
  /** How often the probes of agents someone looked at lately are refreshed in the background (the rest: ten times slower). */
  probeRefreshMs: number;
  /** Probe execs started per second per cluster, at most. */
  probeExecsPerSecond: number;
  /** Overview refresh interval in the browser. */
  refreshMs: number;
  /** The login server agents sign in at (`--experimental_issuer`); only its links are shown. */
  codexLoginIssuer: string;
  /** Actions per user per minute (a runaway script is slowed, not a person). */
  actionRateLimit: number;
  /** Extra hosts allowed to post actions and call routes (behind a proxy whose host differs). */
  allowedOrigins: string[];
  /** How long the overview reuses a pod's readiness facts. */
  readinessPodCacheMs: number;
  /** V8's heap growth in percent; null: V8's own rule (lib/heap-tuning.ts says why). */
  heapGrowingPercent: number | null;
  /** Where the kubeconfig comes from: KUBECONFIG, else the in-cluster service account when there is one. */
  kube: { kubeconfigSet: boolean; inCluster: boolean };
  /** Every call to the cluster as the signed-in person (lib/k8s/impersonation.ts). */
  impersonation: ImpersonationSettings;
  discord: { apiBase: string; botToken: string | null };
  images: ImageSettings;
  /** Sign-in and sessions (lib/auth). */
  auth: AuthSettings;
  /** Webhooks, lease and record of the notifier (lib/notifications). */
  notifications: NotificationSettings;
}

export interface ImpersonationSettings {
  enabled: boolean;
  userClaim: 'email' | 'sub';
  userPrefix: string;
  groupPrefix: string;
}

export interface ImageSettings {
  /** Where thumbnails and fetched images are kept between views. */
  cacheDir: string;
  cacheMaxBytes: number;
  /** How long one listing of an agent's images is reused. */
  listCacheMs: number;
  execTimeoutMs: number;
  /** Most bytes fetched in one exec (many files per exec, but bounded memory). */
  batchMaxBytes: number;
  batchMaxFiles: number;
  /** Transfers from one agent running at once. */
  transfersPerVolume: number;
  thumbnailSize: number;
}

export interface AuthSettings {
  /** A session's absolute lifetime from sign-in; using it does not extend it. */
  sessionMaxAgeSeconds: number;
  /** Where ended sessions are kept (a ConfigMap in the dashboard's own namespace, shared by replicas). */
  sessionStoreNamespace: string;
  sessionStoreName: string;
  /** How long a replica reuses what it read of that ConfigMap. */
  sessionStoreCacheMs: number;
  /** Failed local sign-ins per user name, and per client address, before a 15-minute lock. */
  signInMaxFailures: number;
  signInMaxFailuresPerAddress: number;
  /** Proxies in front of the dashboard that append to X-Forwarded-For (0: none, the header is the client's). */
  trustedProxyHops: number;
  /** Session encryption key (NEXTAUTH_SECRET) and the dashboard's public URL (NEXTAUTH_URL). */
  secret: string | undefined;
  publicUrl: string | null;
  oidc: OidcSettings | null;
  /**
   * Who has which role, and the local accounts: ROLES_*, DEFAULT_ROLE, LOCAL_USERS and
   * DEMO_PASSWORD as set (lib/auth/roles.ts and local-users.ts read them by these names).
   */
  accounts: Readonly<Record<string, string | undefined>>;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  groupsClaim: string;
  scopes: string;
  /** The sign-in button's label (OIDC_NAME), when set. */
  name: string | null;
}

/** A bad value stops the dashboard at start-up, naming the variable (never echoing its value: it may be a secret). */
export class SettingsError extends Error {}

const unset = (v: string | undefined): v is undefined => v === undefined || v.trim() === '';

function text(fallback: string) {
  return z
    .string()
    .optional()
    .transform((v) => (unset(v) ? fallback : v.trim()));
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (unset(v) ? undefined : v.trim()));

function number(fallback: number, rule: { integer?: boolean; min: number; max?: number }, says: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (unset(v)) return fallback;
      const n = Number(v.trim());
      const ok = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && n >= rule.min && (rule.max === undefined || n <= rule.max);
      if (ok) return n;
      ctx.addIssue({ code: 'custom', message: `must be ${says}` });
      return z.NEVER;
    });
}

const positive = (fallback: number) => number(fallback, { min: Number.MIN_VALUE }, 'a positive number');
const count = (fallback: number) => number(fallback, { integer: true, min: 1 }, 'a whole number of at least 1');

function list(value: string | undefined): string[] | null {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length === 0 || items.includes('*') ? null : items;
}

const commaList = z
  .string()
  .optional()
  .transform((v) => list(v));

const flag = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (unset(v)) return false;
    if (/^(true|1|yes)$/i.test(v.trim())) return true;
    if (/^(false|0|no)$/i.test(v.trim())) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

const heapGrowingPercent = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (unset(v)) return 100;
    const n = Number(v.trim());
    if (n === 0) return null;
    if (Number.isInteger(n) && n >= 10 && n <= 400) return n;
    ctx.addIssue({ code: 'custom', message: "must be a whole number from 10 to 400, or 0 for V8's own rule" });
    return z.NEVER;
  });

const ROLE_NAMES = ['viewer', 'support', 'operator', 'admin'] as const;

/** Every variable the dashboard reads, as it reads it. */
const environment = z.object({
  AGENT_SELECTOR: text('app.kubernetes.io/name=openab,app.kubernetes.io/component=codex'),
  WATCH_NAMESPACES: commaList,
  KUBE_CONTEXTS: commaList,
  AGENT_CONTAINER: text('openab'),
  KUBECONFIG: optionalText,
  KUBERNETES_SERVICE_HOST: optionalText,
  PROBE_CACHE_MS: positive(5_000),
  PROBE_TIMEOUT_MS: positive(15_000),
  PROBE_CONCURRENCY: count(16),
  PROBE_REFRESH_MS: positive(15_000),
  PROBE_EXECS_PER_SECOND: count(20),
  REFRESH_MS: positive(10_000),
  CODEX_LOGIN_ISSUER: text(CODEX_DEFAULT_ISSUER),
  ACTION_RATE_LIMIT: count(60),
  ALLOWED_ORIGINS: commaList,
  READINESS_POD_CACHE_MS: positive(10 * 60_000),
  HEAP_GROWING_PERCENT: heapGrowingPercent,
  IMPERSONATION: flag,
  IMPERSONATE_USER_CLAIM: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const claim = unset(v) ? 'email' : v.trim().toLowerCase();
      if (claim === 'email' || claim === 'sub') return claim;
      ctx.addIssue({ code: 'custom', message: 'must be email or sub' });
      return z.NEVER;
    }),
  IMPERSONATE_USER_PREFIX: z.string().optional().default(''),
  IMPERSONATE_GROUP_PREFIX: z.string().optional().default(''),
  DISCORD_API_BASE: text('https://discord.com/api/v10'),
  DISCORD_FILE_BOT_TOKEN: optionalText,
  DISCORD_BOT_TOKEN: optionalText,
  IMAGE_CACHE_DIR: text(path.join(os.tmpdir(), 'openab-dashboard-images')),
  IMAGE_CACHE_MAX_MB: positive(512),
  IMAGE_LIST_CACHE_MS: positive(30_000),
  IMAGE_EXEC_TIMEOUT_MS: positive(60_000),
  IMAGE_BATCH_MAX_MB: positive(64),
  IMAGE_BATCH_MAX_FILES: count(48),
  IMAGE_TRANSFERS_PER_VOLUME: count(2),
  IMAGE_THUMBNAIL_PX: count(320),
  SESSION_MAX_AGE_SECONDS: positive(8 * 3600),
  SESSION_STORE_NAMESPACE: optionalText,
  SESSION_STORE_NAME: text('openab-dashboard-sessions'),
  SESSION_STORE_CACHE_MS: positive(2_000),
  SIGNIN_MAX_FAILURES: count(5),
  SIGNIN_MAX_FAILURES_PER_ADDRESS: count(30),
  TRUSTED_PROXY_HOPS: number(0, { integer: true, min: 0 }, 'a whole number of at least 0'),
  NEXTAUTH_SECRET: optionalText,
  NEXTAUTH_URL: optionalText,
  OIDC_ISSUER: optionalText,
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_GROUPS_CLAIM: text('groups'),
  OIDC_SCOPES: text('openid email profile'),
  OIDC_NAME: optionalText,
  DEFAULT_ROLE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (unset(v)) return undefined;
      const role = v.trim();
      if ((ROLE_NAMES as readonly string[]).includes(role)) return role;
      ctx.addIssue({ code: 'custom', message: `must be one of ${ROLE_NAMES.join(', ')}` });
      return z.NEVER;
    }),
  ROLES_ADMIN: z.string().optional(),
  ROLES_OPERATOR: z.string().optional(),
  ROLES_SUPPORT: z.string().optional(),
  ROLES_VIEWER: z.string().optional(),
  LOCAL_USERS: z.string().optional(),
  DEMO_PASSWORD: z.string().optional(),
});

/** The namespace the dashboard runs in (its service account's), else the chart's default. */
function ownNamespace(): string {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || 'openab-dashboard';
  } catch {
    return 'openab-dashboard';
  }
}

/** The settings of an environment; a bad value is a SettingsError naming every variable at fault. */
export function parseSettings(raw: Record<string, string | undefined>): Settings {
  const parsed = environment.safeParse(raw);
  if (!parsed.success) {
    const faults = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
    throw new SettingsError(`The dashboard's settings are not valid: ${faults.join('; ')}. Fix the environment and start it again.`);
  }
  const env = parsed.data;
  const MiB = 1024 * 1024;
  const sessionStoreNamespace = env.SESSION_STORE_NAMESPACE ?? ownNamespace();
  let notifications: NotificationSettings;
  try {
    notifications = readNotificationSettings(raw, sessionStoreNamespace);
  } catch (err) {
    if (err instanceof NotificationSettingsError)
      throw new SettingsError(`The dashboard's settings are not valid: ${err.message} Fix the environment and start it again.`);
    throw err;
  }
  return {
    agentSelector: env.AGENT_SELECTOR,
    namespaces: env.WATCH_NAMESPACES,
    contexts: env.KUBE_CONTEXTS,
    containerName: env.AGENT_CONTAINER,
    probeCacheMs: env.PROBE_CACHE_MS,
    probeTimeoutMs: env.PROBE_TIMEOUT_MS,
    probeConcurrency: env.PROBE_CONCURRENCY,
    probeRefreshMs: env.PROBE_REFRESH_MS,
    probeExecsPerSecond: env.PROBE_EXECS_PER_SECOND,
    refreshMs: env.REFRESH_MS,
    codexLoginIssuer: env.CODEX_LOGIN_ISSUER,
    actionRateLimit: env.ACTION_RATE_LIMIT,
    allowedOrigins: env.ALLOWED_ORIGINS ?? [],
    readinessPodCacheMs: env.READINESS_POD_CACHE_MS,
    heapGrowingPercent: env.HEAP_GROWING_PERCENT,
    kube: { kubeconfigSet: env.KUBECONFIG !== undefined, inCluster: env.KUBERNETES_SERVICE_HOST !== undefined },
    impersonation: {
      enabled: env.IMPERSONATION,
      userClaim: env.IMPERSONATE_USER_CLAIM,
      userPrefix: env.IMPERSONATE_USER_PREFIX,
      groupPrefix: env.IMPERSONATE_GROUP_PREFIX,
    },
    discord: { apiBase: env.DISCORD_API_BASE, botToken: env.DISCORD_FILE_BOT_TOKEN ?? env.DISCORD_BOT_TOKEN ?? null },
    images: {
      cacheDir: env.IMAGE_CACHE_DIR,
      cacheMaxBytes: env.IMAGE_CACHE_MAX_MB * MiB,
      listCacheMs: env.IMAGE_LIST_CACHE_MS,
      execTimeoutMs: env.IMAGE_EXEC_TIMEOUT_MS,
      batchMaxBytes: env.IMAGE_BATCH_MAX_MB * MiB,
      batchMaxFiles: env.IMAGE_BATCH_MAX_FILES,
      transfersPerVolume: env.IMAGE_TRANSFERS_PER_VOLUME,
      thumbnailSize: env.IMAGE_THUMBNAIL_PX,
    },
    auth: {
      sessionMaxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
      sessionStoreNamespace,
      sessionStoreName: env.SESSION_STORE_NAME,
      sessionStoreCacheMs: env.SESSION_STORE_CACHE_MS,
      signInMaxFailures: env.SIGNIN_MAX_FAILURES,
      signInMaxFailuresPerAddress: env.SIGNIN_MAX_FAILURES_PER_ADDRESS,
      trustedProxyHops: env.TRUSTED_PROXY_HOPS,
      secret: env.NEXTAUTH_SECRET,
      publicUrl: env.NEXTAUTH_URL ?? null,
      oidc:
        env.OIDC_ISSUER && env.OIDC_CLIENT_ID
          ? {
              issuer: env.OIDC_ISSUER.replace(/\/$/, ''),
              clientId: env.OIDC_CLIENT_ID,
              clientSecret: env.OIDC_CLIENT_SECRET,
              groupsClaim: env.OIDC_GROUPS_CLAIM,
              scopes: env.OIDC_SCOPES,
              name: env.OIDC_NAME ?? null,
            }
          : null,
      accounts: {
        ROLES_ADMIN: env.ROLES_ADMIN,
        ROLES_OPERATOR: env.ROLES_OPERATOR,
        ROLES_SUPPORT: env.ROLES_SUPPORT,
        ROLES_VIEWER: env.ROLES_VIEWER,
        DEFAULT_ROLE: env.DEFAULT_ROLE,
        LOCAL_USERS: env.LOCAL_USERS,
        DEMO_PASSWORD: env.DEMO_PASSWORD,
      },
    },
    notifications,
  };
}

let cached: Settings | null = null;

/** The settings of this process: the environment is read here and nowhere else, once. */
export function getSettings(): Settings {
  // The one read of the environment in the product.
  cached ??= parseSettings(process.env);
  return cached;
}

/**
 * Where Next.js's server serves this process (`next start` and the standalone server.js set it
 * when they listen; it is Next's, not a setting), or null outside that server: a script that
 * runs the start-up hook in its own process. Read when asked: the server sets it after start.
 */
export function nextServerOrigin(): string | null {
  const origin = process.env.__NEXT_PRIVATE_ORIGIN;
  return origin && URL.canParse(origin) ? origin : null;
}

/** Forget the settings read so far (tests, and a future reload of the configuration). */
export function resetSettings(): void {
  cached = null;
}
