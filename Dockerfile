# syntax=docker/dockerfile:1
# The dashboard's image: Next.js standalone output on a glibc Node base (sharp's prebuilt
# linux-x64 glibc binaries come along in the standalone node_modules), run as a non-root user.
# Build: docker build -t openab-dashboard .   Run: see the README ("Install into a cluster beside OpenAB").
ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies, dev ones included: the build needs TypeScript, Tailwind and PostCSS.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /src/node_modules ./node_modules
# .dockerignore keeps the dev cluster, tests and local builds out of the context.
COPY . .
# `public` is optional in the repository; the runtime stage copies it either way.
RUN mkdir -p public && npx next build

# Runtime: only the standalone server, its traced node_modules, static assets and public files.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000
RUN groupadd --system --gid 1001 dashboard \
 && useradd --system --uid 1001 --gid dashboard --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin dashboard \
 && mkdir -p /app/.next/cache \
 && chown dashboard:dashboard /app/.next/cache
# Owned by root and not writable by the app: only .next/cache and /tmp are (emptyDirs in the chart).
COPY --from=build /src/.next/standalone ./
COPY --from=build /src/.next/static ./.next/static
COPY --from=build /src/public ./public
USER 1001:1001
EXPOSE 3000
# The same probe path as the chart's: next-auth's provider list, no cluster call.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/auth/providers').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
