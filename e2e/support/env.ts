import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DevClusterState } from '../../scripts/stack';
import { devClusterClient } from '../../scripts/devcluster-client';

const port = Number(process.env.E2E_PORT ?? 3100);

export const E2E = {
  port,
  oidcPort: Number(process.env.E2E_OIDC_PORT ?? port + 99),
  baseUrl: `http://127.0.0.1:${port}`,
  password: 'e2e-demo-password',
};

/** Per port, so parallel runs (E2E_PORT) keep apart. */
export const statePath = path.resolve(__dirname, `../../.devcluster/e2e-${port}-state.json`);

export function e2eState(): { cluster: DevClusterState; url: string; oidcIssuer: string } {
  return JSON.parse(readFileSync(statePath, 'utf8'));
}

export function cluster() {
  return devClusterClient(e2eState().cluster);
}
