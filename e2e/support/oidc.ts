// A real OpenID Provider (the certified `oidc-provider` package) on loopback, for the
// end-to-end test of single sign-on. Its built-in login form accepts any account name;
// accounts below carry the groups that the dashboard maps to roles.
import http from 'node:http';

export const OIDC_ACCOUNTS: Record<string, { email: string; name: string; groups: string[] }> = {
  alice: { email: 'alice@example.com', name: 'Alice Operator', groups: ['dashboard-operators'] },
  carol: { email: 'carol@example.com', name: 'Carol Viewer', groups: ['dashboard-viewers'] },
  mallory: { email: 'mallory@example.com', name: 'Mallory', groups: ['strangers'] },
};

export async function startOidcProvider(opts: { port: number; redirectUri: string; clientId: string; clientSecret: string }) {
  const { default: Provider } = await import('oidc-provider');
  const issuer = `http://127.0.0.1:${opts.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, id: string) {
      const account = OIDC_ACCOUNTS[id];
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account?.email ?? `${id}@example.com`,
            email_verified: true,
            name: account?.name ?? id,
            groups: account?.groups ?? [],
          };
        },
      };
    },
  } as never);
  // Plain http on loopback is fine for a test issuer.
  (provider as unknown as { proxy: boolean }).proxy = true;
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', resolve));
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}
