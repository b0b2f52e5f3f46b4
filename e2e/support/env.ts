import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DevClusterState } from '../../scripts/stack';

export const E2E = {
  port: 3100,
  oidcPort: 3199,
  baseUrl: 'http://127.0.0.1:3100',
  password: 'e2e-demo-password',
};

export const statePath = path.resolve(__dirname, '../../.devcluster/e2e-state.json');

export function e2eState(): { cluster: DevClusterState; url: string; oidcIssuer: string } {
  return JSON.parse(readFileSync(statePath, 'utf8'));
}

/** Calls the dev cluster's API as its admin (for control endpoints and checks). */
export async function clusterApi(pathname: string, init: RequestInit = {}): Promise<Response> {
  const { cluster } = e2eState();
  // The dev cluster's certificate is made at start by its own CA; trust it for this call only.
  const { Agent } = await import('undici');
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(readFileSync(cluster.kubeconfig, 'utf8'))![1], 'base64').toString();
  return fetch(`${cluster.url}${pathname}`, {
    ...init,
    headers: { Authorization: `Bearer ${cluster.tokens.admin}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    // @ts-expect-error undici's dispatcher option
    dispatcher: new Agent({ connect: { ca } }),
  });
}
