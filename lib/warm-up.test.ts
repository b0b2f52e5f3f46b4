import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { warmUpPages } from './warm-up';

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
    warmUpPages({ __NEXT_PRIVATE_ORIGIN: origin });
    await firstRequest;
    await new Promise((r) => setTimeout(r, 300));
    expect(paths).toEqual(['/signin']);
  });

  it('asks nothing outside Next.js, where no address is served on, even with a port set', async () => {
    const { origin, paths } = await recordingServer();
    warmUpPages({ PORT: new URL(origin).port, HOSTNAME: '127.0.0.1' });
    warmUpPages({ __NEXT_PRIVATE_ORIGIN: 'not a url', PORT: new URL(origin).port });
    await new Promise((r) => setTimeout(r, 300));
    expect(paths).toEqual([]);
  });
});
