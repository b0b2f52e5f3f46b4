// The objects the real OpenAB chart renders (a committed copy of its `helm template`
// output), renamed per release and agent exactly as the chart's helpers name them.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';

export type K8sObject = Record<string, any>;

const FIXTURE_PATH = fileURLToPath(new URL('./openab-chart-rendered.yaml', import.meta.url));

/** The release and agent key the fixture was rendered with. */
export const FIXTURE_RELEASE = 'openab';

let fixtureObjects: K8sObject[] | undefined;

export function loadChartFixture(): K8sObject[] {
  if (!fixtureObjects) {
    fixtureObjects = loadAll(readFileSync(FIXTURE_PATH, 'utf8')).filter((doc): doc is K8sObject => typeof doc === 'object' && doc !== null);
  }
  return structuredClone(fixtureObjects);
}

/** The chart's `openab.fullname`: the release when it already says openab, else `<release>-openab`. */
export function chartFullname(release: string): string {
  return release.includes('openab') ? release : `${release}-openab`;
}

/** Name of an agent's Deployment, Secret, ConfigMap and PVC. */
export function agentObjectName(release: string, agentKey: string): string {
  return `${chartFullname(release)}-${agentKey}`;
}

export interface AgentRender {
  namespace: string;
  release: string;
  agentKey: string;
  /** Which of the fixture's agents to copy the shape from. */
  template: 'codex' | 'kiro';
  /** The container's working directory (HOME and the PVC's mount path). */
  homeDir: string;
  /** OpenAB's own config.toml for the ConfigMap. */
  openabConfigToml: string;
  /** Secret keys and plain values (base64-encoded here, as the API stores them). */
  secretData?: Record<string, string>;
  /** The container image, when not the fixture's. */
  image?: string;
}

export function renderAgentObjects(spec: AgentRender): K8sObject[] {
  const templateName = `${FIXTURE_RELEASE}-${spec.template}`;
  const name = agentObjectName(spec.release, spec.agentKey);
  const picked = loadChartFixture().filter((o) => o.metadata?.name === templateName);
  const out: K8sObject[] = [];
  for (const obj of picked) {
    obj.metadata.name = name;
    obj.metadata.namespace = spec.namespace;
    relabel(obj.metadata.labels, spec);
    switch (obj.kind) {
      case 'Secret':
        obj.data = Object.fromEntries(
          Object.entries(spec.secretData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
        );
        break;
      case 'ConfigMap':
        obj.data = { 'config.toml': spec.openabConfigToml };
        break;
      case 'Deployment':
        renderDeployment(obj, spec, name);
        break;
    }
    out.push(obj);
  }
  // The kiro agent in the fixture has no Secret (no Discord token set for it); keep that.
  return out;
}

function relabel(labels: Record<string, string> | undefined, spec: AgentRender): void {
  if (!labels) return;
  if ('app.kubernetes.io/instance' in labels) labels['app.kubernetes.io/instance'] = spec.release;
  if ('app.kubernetes.io/component' in labels) labels['app.kubernetes.io/component'] = spec.agentKey;
}

function renderDeployment(dep: K8sObject, spec: AgentRender, name: string): void {
  relabel(dep.spec.selector.matchLabels, spec);
  const template = dep.spec.template;
  relabel(template.metadata.labels, spec);
  template.metadata.annotations = {
    ...template.metadata.annotations,
    'checksum/config': createHash('sha256').update(spec.openabConfigToml).digest('hex'),
  };
  for (const container of template.spec.containers as K8sObject[]) {
    if (spec.image) container.image = spec.image;
    for (const env of (container.env ?? []) as K8sObject[]) {
      if (env.valueFrom?.secretKeyRef) env.valueFrom.secretKeyRef.name = name;
      if (env.name === 'HOME') env.value = spec.homeDir;
    }
    for (const mount of (container.volumeMounts ?? []) as K8sObject[]) {
      if (mount.name === 'data') mount.mountPath = spec.homeDir;
    }
  }
  for (const volume of template.spec.volumes as K8sObject[]) {
    if (volume.configMap) volume.configMap.name = name;
    if (volume.persistentVolumeClaim) volume.persistentVolumeClaim.claimName = name;
  }
}

/**
 * The Codex image of a given Codex version, tagged as one would tag images built from OpenAB's
 * Dockerfile.codex at different times: `<repository>:<OpenAB version>-codex-<Codex version>`
 * (the dev cluster runs the Codex the tag names).
 */
export function codexImageFor(codexVersion: string): string {
  const codex = loadChartFixture().find((o) => o.kind === 'Deployment' && o.metadata.name === `${FIXTURE_RELEASE}-codex`)!;
  const openabVersion = String(codex.metadata.labels['helm.sh/chart']).replace(/^openab-/, '');
  const repository = String(codex.spec.template.spec.containers[0].image).replace(/:[^/:]+$/, '');
  return `${repository}:${openabVersion}-codex-${codexVersion}`;
}

export function namespaceObject(name: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
  };
}
