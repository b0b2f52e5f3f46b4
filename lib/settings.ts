import 'server-only';
import { CODEX_DEFAULT_ISSUER } from './codex/device-login';
import { readFileSync } from 'node:fs';

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
  /** Sign-in and sessions (lib/auth). */
  auth: AuthSettings;
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
}

function list(value: string | undefined): string[] | null {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length === 0 || items.includes('*') ? null : items;
}

function num(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The namespace the dashboard runs in (its service account's), else the chart's default. */
function ownNamespace(): string {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || 'openab-dashboard';
  } catch {
    return 'openab-dashboard';
  }
}

let cached: Settings | null = null;

export function getSettings(): Settings {
  if (cached) return cached;
  const env = process.env;
  cached = {
    agentSelector: env.AGENT_SELECTOR?.trim() || 'app.kubernetes.io/name=openab,app.kubernetes.io/component=codex',
    namespaces: list(env.WATCH_NAMESPACES),
    contexts: list(env.KUBE_CONTEXTS),
    containerName: env.AGENT_CONTAINER?.trim() || 'openab',
    probeCacheMs: num(env.PROBE_CACHE_MS, 5_000),
    probeTimeoutMs: num(env.PROBE_TIMEOUT_MS, 15_000),
    probeConcurrency: num(env.PROBE_CONCURRENCY, 16),
    probeRefreshMs: num(env.PROBE_REFRESH_MS, 15_000),
    probeExecsPerSecond: num(env.PROBE_EXECS_PER_SECOND, 20),
    refreshMs: num(env.REFRESH_MS, 10_000),
    codexLoginIssuer: env.CODEX_LOGIN_ISSUER?.trim() || CODEX_DEFAULT_ISSUER,
    auth: {
      sessionMaxAgeSeconds: num(env.SESSION_MAX_AGE_SECONDS, 8 * 3600),
      sessionStoreNamespace: env.SESSION_STORE_NAMESPACE?.trim() || ownNamespace(),
      sessionStoreName: env.SESSION_STORE_NAME?.trim() || 'openab-dashboard-sessions',
      sessionStoreCacheMs: num(env.SESSION_STORE_CACHE_MS, 2_000),
      signInMaxFailures: num(env.SIGNIN_MAX_FAILURES, 5),
      signInMaxFailuresPerAddress: num(env.SIGNIN_MAX_FAILURES_PER_ADDRESS, 30),
      trustedProxyHops: Math.floor(num(env.TRUSTED_PROXY_HOPS, 0)),
    },
  };
  return cached;
}

/** Forget the settings read so far (tests, and a future reload of the configuration). */
export function resetSettings(): void {
  cached = null;
}
