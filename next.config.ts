import type { NextConfig } from 'next';
import { SECURITY_HEADERS } from './lib/security-headers';

const nextConfig: NextConfig = {
  output: 'standalone',
  // Lets parallel builds (several worktrees' test runs) keep apart; the default is .next.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // The cluster client is ESM with native-ish deps (ws, undici): keep it out of the bundle.
  serverExternalPackages: ['@kubernetes/client-node'],
  poweredByHeader: false,
  // The build checks the app's own code; `npm run typecheck` (part of `npm test`) checks everything.
  typescript: { tsconfigPath: 'tsconfig.app.json' },
  experimental: {
    serverActions: {
      // Behind a proxy whose host differs from the app's, list it here (comma-separated).
      allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [...SECURITY_HEADERS],
      },
    ];
  },
};

export default nextConfig;
