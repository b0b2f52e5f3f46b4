import 'server-only';
import { CODEX_DEFAULT_ISSUER } from './codex/device-login';

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
  /** Overview refresh interval in the browser. */
  refreshMs: number;
  /** The login server agents sign in at (`--experimental_issuer`); only its links are shown. */
  codexLoginIssuer: string;
}

function list(value: string | undefined): string[] | null {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length === 0 || items.includes('*') ? null : items;
}

function num(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
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
    refreshMs: num(env.REFRESH_MS, 10_000),
    codexLoginIssuer: env.CODEX_LOGIN_ISSUER?.trim() || CODEX_DEFAULT_ISSUER,
  };
  return cached;
}

/** Forget the settings read so far (tests, and a future reload of the configuration). */
export function resetSettings(): void {
  cached = null;
}
