// Shared by the security and fault specs: the app's entry points from the build manifests,
// and the agents' config.toml read straight from the pods as the cluster admin (not through
// the dashboard), so a test can prove nothing was changed or left corrupt.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'smol-toml';
import { E2E, e2eState } from './env';
import { adminKube, execAsAdmin } from './cluster-admin';

const root = path.resolve(__dirname, '../..');
const distDir = () => path.join(root, process.env.NEXT_DIST_DIR || '.next');
export const ROLES = ['viewer', 'support', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const CLUSTER_ID = 'dashboard@devcluster';

export interface RouteEntry {
  route: string;
  method: string;
  role: Role;
  /** The route with its [segments] still in it. */
  template: string;
}

/** The URL path of an app/ path: route groups `(x)` add no segment. */
const urlPath = (appPath: string) => appPath.replace(/\/\([^/)]+\)/g, '') || '/';

export function routeEntries(): RouteEntry[] {
  const manifest = JSON.parse(readFileSync(path.join(distDir(), 'server/app-paths-manifest.json'), 'utf8')) as Record<string, string>;
  return Object.keys(manifest)
    .filter((p) => p.endsWith('/route') && !p.startsWith('/api/auth/') && existsSync(path.join(root, 'app', p.slice(1) + '.ts')))
    .flatMap((p) => {
      const text = readFileSync(path.join(root, 'app', p.slice(1) + '.ts'), 'utf8');
      return [...text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE) = defineRoute\(\{[^}]*role: '(\w+)'/g)].map(
        ([, method, role]) => ({
          route: p,
          method,
          role: role as Role,
          template: urlPath(p.replace(/\/route$/, '')),
        }),
      );
    });
}

/** Pages (not route handlers) with their [segments]. */
export function pageTemplates(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(distDir(), 'server/app-paths-manifest.json'), 'utf8')) as Record<string, string>;
  return Object.keys(manifest)
    .filter((p) => p.endsWith('/page') && !p.startsWith('/_'))
    .map((p) => urlPath(p.replace(/\/page$/, '')));
}

export interface ActionEntry {
  id: string;
  file: string;
  name: string;
  role: Role;
  /** A page whose bundle holds the action (Next only runs an action posted there). */
  page: string;
}

export function actionEntries(fill: (template: string) => string): ActionEntry[] {
  const manifestPath = path.join(distDir(), 'server/server-reference-manifest.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    node: Record<string, { filename?: string; exportedName?: string; workers?: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node ?? {}).map(([id, info]) => {
    const file = path.join(root, String(info.filename ?? ''));
    const m = new RegExp(`export const ${info.exportedName} = defineAction\\(\\s*\\{[^}]*role: '(\\w+)'`).exec(readFileSync(file, 'utf8'));
    if (!m) throw new Error(`${info.exportedName} in ${file} is not built by defineAction`);
    const worker = Object.keys(info.workers ?? {}).find((w) => w.endsWith('/page')) ?? 'app/page';
    const page = fill(urlPath('/' + worker.replace(/^app\/?/, '').replace(/\/?page$/, ''))).replace(/\/$/, '') || '/';
    return { id, file: path.relative(root, file), name: String(info.exportedName), role: m[1] as Role, page };
  });
}

/** Fills [cluster]/[namespace]/[name] with one agent's values (percent-encoded). */
export function fillTemplate(template: string, agent: { namespace: string; name: string }, cluster = CLUSTER_ID): string {
  return template
    .replace(/\[cluster\]/, encodeURIComponent(cluster))
    .replace(/\[namespace\]/, encodeURIComponent(agent.namespace))
    .replace(/\[name\]/, encodeURIComponent(agent.name))
    .replace(/\[\.\.\.\w+\]|\[\w+\]/g, 'x');
}

export function dashboardLogPath(): string {
  return path.resolve(root, `.devcluster/e2e-${E2E.port}/dashboard.log`);
}

/** The cluster as its admin, with the real client (not through the dashboard). */
export interface PodConfig {
  /** `namespace/name` of the Deployment. */
  agent: string;
  pod: string;
  exists: boolean;
  text: string;
  sha256: string;
}

/** Every running Codex agent pod's config.toml (at ${CODEX_HOME:-$HOME/.codex}). */
export async function readPodConfigs(
  selector = e2eState().cluster.seed?.codexSelector ?? 'app.kubernetes.io/name=openab',
): Promise<Map<string, PodConfig>> {
  const kc = adminKube();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const pods = (await core.listPodForAllNamespaces({ labelSelector: selector })).items.filter(
    (p) =>
      p.status?.phase === 'Running' &&
      !p.metadata?.deletionTimestamp &&
      p.status?.containerStatuses?.some((c) => c.name === 'openab' && c.ready),
  );
  const result = new Map<string, PodConfig>();
  for (const p of pods) {
    const owner = p.metadata?.labels?.['app.kubernetes.io/instance']
      ? p.metadata!.name!.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, '')
      : p.metadata!.name!;
    const agent = `${p.metadata!.namespace}/${owner}`;
    const { out, code } = await execAsAdmin(p.metadata!.namespace!, p.metadata!.name!, [
      'sh',
      '-c',
      'f="${CODEX_HOME:-$HOME/.codex}/config.toml"; if [ -f "$f" ]; then printf Y; cat "$f"; else printf N; fi',
    ]);
    if (code !== 0) throw new Error(`reading config.toml in ${agent} failed (exit ${code})`);
    const exists = out.startsWith('Y');
    const text = out.slice(1);
    result.set(agent, { agent, pod: p.metadata!.name!, exists, text, sha256: createHash('sha256').update(text).digest('hex') });
  }
  return result;
}

/**
 * Whether a config.toml is intact: it parses, or it is byte for byte what it was before (the
 * seed has one Codex cannot load on purpose), or it did not exist and still does not.
 */
export function configIntact(now: PodConfig, before: PodConfig | undefined): { ok: boolean; why?: string } {
  if (before && now.exists === before.exists && now.sha256 === before.sha256) return { ok: true };
  if (!now.exists) return before?.exists ? { ok: false, why: 'config.toml disappeared' } : { ok: true };
  try {
    parse(now.text);
    return { ok: true };
  } catch (err) {
    return { ok: false, why: `config.toml does not parse: ${(err as Error).message.split('\n')[0]}` };
  }
}
