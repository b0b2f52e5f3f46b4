// Starts the demo stack (dev cluster + production dashboard) and a real OpenID Provider for
// the browser tests, and writes what the tests need to know to e2e state.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startStack } from '../scripts/stack';
import { chartRbacForStack } from '../scripts/helm';
import { startOidcProvider } from './support/oidc';
import { E2E, statePath } from './support/env';

export default async function globalSetup() {
  const oidc = await startOidcProvider({
    port: E2E.oidcPort,
    clientId: 'openab-dashboard',
    clientSecret: 'e2e-client-secret',
    redirectUri: `${E2E.baseUrl}/api/auth/callback/oidc`,
  });
  const stack = await startStack({
    stateDir: path.resolve(__dirname, `../.devcluster/e2e-${E2E.port}`),
    port: E2E.port,
    demoPassword: E2E.password,
    verbose: Boolean(process.env.E2E_VERBOSE),
    secondCluster: true,
    rbac: process.env.E2E_RBAC_FROM_CHART ? chartRbacForStack : undefined,
    env: {
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: 'openab-dashboard',
      OIDC_CLIENT_SECRET: 'e2e-client-secret',
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_NAME: 'Test SSO',
      ROLES_OPERATOR: 'dashboard-operators',
      ROLES_VIEWER: 'dashboard-viewers',
      PROBE_CACHE_MS: '1000',
      REFRESH_MS: '3000',
      // The whole suite acts as the same four users within minutes (the hostile-input test alone
      // posts hundreds of actions); the limit's own behaviour is lib/auth's unit tests'.
      ACTION_RATE_LIMIT: '1000',
    },
  });
  writeFileSync(statePath, JSON.stringify({ cluster: stack.cluster, url: stack.url, oidcIssuer: oidc.issuer }, null, 2));
  return async () => {
    await stack.stop();
    await oidc.close();
  };
}
