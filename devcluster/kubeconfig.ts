// Writes the kubeconfig: one cluster with the CA inline, one bearer-token user and context per identity.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const CLUSTER_NAME = 'devcluster';

export function renderKubeconfig(opts: { server: string; caPem: string; tokens: Record<string, string>; currentUser: string }): string {
  const ca = Buffer.from(opts.caPem).toString('base64');
  const users = Object.keys(opts.tokens);
  // Token and names are generated here (hex / fixed words), so plain YAML scalars are safe.
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${CLUSTER_NAME}`,
    '  cluster:',
    `    server: ${opts.server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    ...users.flatMap((u) => [`- name: ${u}`, '  user:', `    token: ${opts.tokens[u]}`]),
    'contexts:',
    ...users.flatMap((u) => [
      `- name: ${u}@${CLUSTER_NAME}`,
      '  context:',
      `    cluster: ${CLUSTER_NAME}`,
      `    user: ${u}`,
      '    namespace: default',
    ]),
    `current-context: ${opts.currentUser}@${CLUSTER_NAME}`,
    'preferences: {}',
    '',
  ];
  return lines.join('\n');
}

export async function writeKubeconfig(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content, { mode: 0o600 });
}
