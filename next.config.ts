import type { NextConfig } from 'next';

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
      allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    },
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
