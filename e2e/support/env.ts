import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DevClusterState } from '../../scripts/stack';
import { devClusterClient } from '../../scripts/devcluster-client';

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

export function cluster() {
  return devClusterClient(e2eState().cluster);
}
