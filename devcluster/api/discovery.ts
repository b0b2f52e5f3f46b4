// Discovery documents (legacy, unaggregated form: clients fall back to it when
// the aggregated content type is not offered back).
import { RESOURCE_TYPES, type ResourceType } from './resources';

export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.4-devcluster',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-08-01T00:00:00Z',
  goVersion: 'go1.24.5',
  compiler: 'gc',
  platform: 'linux/amd64',
  emulationMajor: '1',
  emulationMinor: '33',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '32',
};

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groups(): string[] {
  return [...new Set(RESOURCE_TYPES.filter((t) => t.group).map((t) => t.group))];
}

function groupDoc(group: string) {
  const version = RESOURCE_TYPES.find((t) => t.group === group)!.version;
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupDoc) };
}

export function apiGroup(group: string) {
  if (!groups().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
}

function resourceEntries(t: ResourceType) {
  const main = {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    ...(t.categories ? { categories: t.categories } : {}),
    storageVersionHash: Buffer.from(t.resource).toString('base64').slice(0, 11),
  };
  const subs = (t.subresources ?? []).map((s) => ({
    name: `${t.resource}/${s.name}`,
    singularName: '',
    namespaced: t.namespaced,
    kind: s.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

export function apiResourceList(group: string, version: string) {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}
