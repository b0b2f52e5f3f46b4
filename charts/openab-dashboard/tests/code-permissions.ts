// What the dashboard's code asks of the Kubernetes API, read from the code itself: every
// @kubernetes/client-node API method it calls (named <verb>[Namespaced]<Kind>[Sub][ForAllNamespaces]),
// and the helper classes that open subresources (Exec, Log, Attach, PortForward, Watch).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Permission {
  verb: string;
  group: string;
  /** `resource` or `resource/subresource`. */
  resource: string;
  /** A method that lists across all namespaces: needs a cluster-wide grant. */
  allNamespaces?: boolean;
  /** Cluster-scoped resources (access reviews, users, ...). */
  clusterScoped?: boolean;
  /** Where the code calls it, for messages. */
  where: string[];
}

/** Kinds the client's methods name, with their API group and plural resource. */
const KINDS: Record<string, { group: string; plural: string; clusterScoped?: boolean }> = {
  Pod: { group: '', plural: 'pods' },
  Event: { group: '', plural: 'events' },
  Secret: { group: '', plural: 'secrets' },
  ConfigMap: { group: '', plural: 'configmaps' },
  Service: { group: '', plural: 'services' },
  ServiceAccount: { group: '', plural: 'serviceaccounts' },
  PersistentVolumeClaim: { group: '', plural: 'persistentvolumeclaims' },
  Namespace: { group: '', plural: 'namespaces', clusterScoped: true },
  Node: { group: '', plural: 'nodes', clusterScoped: true },
  PersistentVolume: { group: '', plural: 'persistentvolumes', clusterScoped: true },
  Deployment: { group: 'apps', plural: 'deployments' },
  ReplicaSet: { group: 'apps', plural: 'replicasets' },
  StatefulSet: { group: 'apps', plural: 'statefulsets' },
  DaemonSet: { group: 'apps', plural: 'daemonsets' },
  Job: { group: 'batch', plural: 'jobs' },
  CronJob: { group: 'batch', plural: 'cronjobs' },
  Ingress: { group: 'networking.k8s.io', plural: 'ingresses' },
  SelfSubjectAccessReview: { group: 'authorization.k8s.io', plural: 'selfsubjectaccessreviews', clusterScoped: true },
  SelfSubjectRulesReview: { group: 'authorization.k8s.io', plural: 'selfsubjectrulesreviews', clusterScoped: true },
  SubjectAccessReview: { group: 'authorization.k8s.io', plural: 'subjectaccessreviews', clusterScoped: true },
  TokenReview: { group: 'authentication.k8s.io', plural: 'tokenreviews', clusterScoped: true },
  Role: { group: 'rbac.authorization.k8s.io', plural: 'roles' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', plural: 'rolebindings' },
  ClusterRole: { group: 'rbac.authorization.k8s.io', plural: 'clusterroles', clusterScoped: true },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', plural: 'clusterrolebindings', clusterScoped: true },
  Lease: { group: 'coordination.k8s.io', plural: 'leases' },
  CustomObject: { group: '*', plural: '*' },
};

/** Subresource suffixes of method names (readNamespacedPodLog, patchNamespacedDeploymentScale, ...). */
const SUBRESOURCES: Record<string, string> = {
  Log: 'log',
  Exec: 'exec',
  Attach: 'attach',
  Portforward: 'portforward',
  Proxy: 'proxy',
  Status: 'status',
  Scale: 'scale',
  Eviction: 'eviction',
  Binding: 'binding',
  Ephemeralcontainers: 'ephemeralcontainers',
  Token: 'token',
};

/** The client's naming rule: the method's leading verb is the API verb, `read` being `get`. */
const VERBS: Record<string, string> = {
  list: 'list',
  read: 'get',
  patch: 'patch',
  create: 'create',
  delete: 'delete',
  deleteCollection: 'deletecollection',
  replace: 'update',
  watch: 'watch',
};

/** Helper classes of the client that open a subresource, and the verbs that takes. */
const HELPERS: Record<string, Array<Omit<Permission, 'where'>>> = {
  // WebSocket exec is authorized as get; newer API servers also check create (and SPDY uses create).
  Exec: [
    { verb: 'get', group: '', resource: 'pods/exec' },
    { verb: 'create', group: '', resource: 'pods/exec' },
  ],
  Attach: [
    { verb: 'get', group: '', resource: 'pods/attach' },
    { verb: 'create', group: '', resource: 'pods/attach' },
  ],
  PortForward: [
    { verb: 'get', group: '', resource: 'pods/portforward' },
    { verb: 'create', group: '', resource: 'pods/portforward' },
  ],
  Log: [{ verb: 'get', group: '', resource: 'pods/log' }],
};

/** First line of a file whose cluster calls are made in the dashboard's own namespace. */
export const OWN_NAMESPACE_MARKER = "// rbac: the dashboard's own namespace";

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'node_modules' || name === 'testing') continue;
      out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** Splits a method name into verb, kind, subresource; null for names that are not API methods. */
export function parseApiMethod(
  method: string,
): { verb: string; kind: string; subresource?: string; allNamespaces: boolean; namespaced: boolean } | null {
  const m = /^(deleteCollection|list|read|patch|create|delete|replace|watch)(Namespaced)?([A-Z][A-Za-z]*?)(ForAllNamespaces)?$/.exec(
    method,
  );
  if (!m) return null;
  let kind = m[3];
  let subresource: string | undefined;
  if (!KINDS[kind]) {
    const sub = Object.keys(SUBRESOURCES).find((s) => kind.endsWith(s) && KINDS[kind.slice(0, -s.length)]);
    if (!sub) return null;
    subresource = SUBRESOURCES[sub];
    kind = kind.slice(0, -sub.length);
  }
  return { verb: VERBS[m[1]], kind, subresource, allNamespaces: Boolean(m[4]), namespaced: Boolean(m[2]) };
}

/**
 * Every permission the code in `dirs` (relative to the repository root) needs, keyed
 * `verb group resource`. Method names that look like a namespaced API call on a kind this
 * table does not know are returned in `unknown`, so a new kind cannot slip through unnoticed.
 */
export function permissionsUsedByCode(
  root: string,
  dirs = ['lib', 'app', 'components'],
): { permissions: Map<string, Permission>; unknown: string[]; asDashboard: Set<string>; ownNamespace: Map<string, Permission> } {
  const permissions = new Map<string, Permission>();
  // Calls made in files marked OWN_NAMESPACE_MARKER go to the dashboard's own namespace only
  // (the session list), not to the agents' namespaces: the chart grants them in a Role there.
  const ownNamespace = new Map<string, Permission>();
  // Calls wrapped in asDashboard(...) are made with the dashboard's own identity even in impersonation mode.
  const asDashboard = new Set<string>();
  const unknown: string[] = [];
  let into = permissions;
  const add = (p: Omit<Permission, 'where'>, where: string) => {
    const key = `${p.verb} ${p.group} ${p.resource}`;
    const seen = into.get(key);
    if (seen) {
      seen.allNamespaces ||= p.allNamespaces;
      if (!seen.where.includes(where)) seen.where.push(where);
    } else into.set(key, { ...p, where: [where] });
  };
  for (const file of dirs.flatMap((d) => sourceFiles(path.join(root, d)))) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(root, file);
    const own = text.startsWith(OWN_NAMESPACE_MARKER);
    into = own ? ownNamespace : permissions;
    // The audit record (lib/audit/log-activity.ts) creates an Event where the action happened.
    if (own && /\blogActivity\s*\(/.test(text.replace(/^import .*$/gm, ''))) add({ verb: 'create', group: '', resource: 'events' }, rel);
    // Only files that use the client: method names like createHash or readFile elsewhere are not API calls.
    if (!/@kubernetes\/client-node|\bcluster\.(core|apps|authz)\b|\.(core|apps|authz)\.\w+\(/.test(text)) continue;
    for (const m of text.matchAll(/\.\s*([a-z][A-Za-z]+)\s*\(/g)) {
      const method = m[1];
      const parsed = parseApiMethod(method);
      if (!parsed) {
        if (/^(deleteCollection|list|read|patch|create|delete|replace|watch)Namespaced[A-Z]/.test(method))
          unknown.push(`${rel}: ${method}`);
        continue;
      }
      const kind = KINDS[parsed.kind];
      const resource = parsed.subresource ? `${kind.plural}/${parsed.subresource}` : kind.plural;
      if (!own && insideAsDashboard(text, m.index!)) asDashboard.add(`${parsed.verb} ${kind.group} ${resource}`);
      add(
        {
          verb: parsed.verb,
          group: kind.group,
          resource: parsed.subresource ? `${kind.plural}/${parsed.subresource}` : kind.plural,
          ...(parsed.allNamespaces ? { allNamespaces: true } : {}),
          ...(kind.clusterScoped ? { clusterScoped: true } : {}),
        },
        rel,
      );
    }
    for (const m of text.matchAll(/new\s+(?:k8s\.)?(Exec|Attach|PortForward|Log|Watch)\s*\(/g)) {
      if (m[1] === 'Watch') {
        // A Watch is opened on an API path: `/api/v1/namespaces/${ns}/pods`, `/apis/apps/v1/deployments`, ...
        const paths = [...text.matchAll(/['"`](\/apis?\/[^'"`]+)['"`]/g)].map((p) => p[1]);
        if (paths.length === 0) unknown.push(`${rel}: new Watch without a literal API path`);
        for (const p of paths) {
          const w = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/(?:namespaces\/[^/]+\/)?([a-z]+)$/.exec(p.replace(/\$\{[^}]+\}/g, 'x'));
          if (!w) unknown.push(`${rel}: watch path ${p}`);
          else
            add({ verb: 'watch', group: w[1] ?? '', resource: w[2], ...(p.includes('/namespaces/') ? {} : { allNamespaces: true }) }, rel);
        }
        continue;
      }
      for (const p of HELPERS[m[1]]) add(p, rel);
    }
  }
  return { permissions, unknown, asDashboard, ownNamespace };
}

/** Whether position `at` lies inside the parentheses of an `asDashboard(` call. */
function insideAsDashboard(text: string, at: number): boolean {
  for (const m of text.matchAll(/\basDashboard\s*\(/g)) {
    const open = m.index! + m[0].length - 1;
    if (open > at) break;
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        if (at < i) return true;
        break;
      }
    }
  }
  return false;
}
