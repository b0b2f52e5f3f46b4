import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { warmUpPages } from './warm-up';
import { nextServerOrigin } from './settings';

let server: http.Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that records the paths it is asked for, and tells when the first request came. */
function recordingServer(): Promise<{ origin: string; paths: string[]; firstRequest: Promise<void> }> {
  const paths: string[] = [];
  let seen!: () => void;
  const firstRequest = new Promise<void>((resolve) => (seen = resolve));
  server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    res.end('ok');
    seen();
  });
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () =>
      resolve({ origin: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, paths, firstRequest }),
    ),
  );
}

describe('warmUpPages', () => {
  it('asks the server it runs in for the sign-in page once', async () => {
    const { origin, paths, firstRequest } = await recordingServer();
    warmUpPages(origin);
    await firstRequest;
    await new Promise((r) => setTimeout(r, 300));
    expect(paths).toEqual(['/signin']);
  });

  it("asks nothing outside Next.js's server, which names no origin", async () => {
    const { origin, paths } = await recordingServer();
    const saved = { origin: process.env.__NEXT_PRIVATE_ORIGIN, port: process.env.PORT };
    process.env.PORT = new URL(origin).port;
    delete process.env.__NEXT_PRIVATE_ORIGIN;
    try {
      expect(nextServerOrigin()).toBeNull();
      warmUpPages();
      process.env.__NEXT_PRIVATE_ORIGIN = 'not a url';
      expect(nextServerOrigin()).toBeNull();
      warmUpPages();
      await new Promise((r) => setTimeout(r, 300));
      expect(paths).toEqual([]);
      process.env.__NEXT_PRIVATE_ORIGIN = origin;
      expect(nextServerOrigin()).toBe(origin);
    } finally {
      for (const [name, value] of [
        ['__NEXT_PRIVATE_ORIGIN', saved.origin],
        ['PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
