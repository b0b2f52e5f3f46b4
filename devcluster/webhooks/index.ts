// A fake webhook receiver for notifications (Slack-compatible, Discord and generic JSON): every
// POST to /hooks/<name>/<token> is recorded; a control endpoint reads or clears what arrived and
// can make the next POSTs fail, and / shows what arrived as a small page for the demo.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { listenOnLoopback } from '../loopback';

export interface ReceivedHook {
  /** slack, discord or webhook: the first segment after /hooks/. */
  hook: string;
  body: unknown;
  at: string;
}

export interface FakeWebhooks {
  url: string;
  /** Webhook URLs to configure the dashboard with; each holds a random token, like real ones. */
  urls: { slack: string; discord: string; webhook: string };
  received(): ReceivedHook[];
  clear(): void;
  /** Answer the next `count` POSTs with `status` (503: the sender should retry later). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
/** Bounded: a demo left running for days keeps the latest. */
const MAX_KEPT = 1000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function textOf(body: unknown): string {
  const b = body as Record<string, unknown> | null;
  return String(b?.text ?? b?.content ?? b?.message ?? JSON.stringify(body));
}

export async function startFakeWebhooks(opts: { log?: (line: string) => void } = {}): Promise<FakeWebhooks> {
  const token = randomBytes(12).toString('hex');
  const received: ReceivedHook[] = [];
  let failing = { count: 0, status: 503 };

  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const hook = /^\/hooks\/(slack|discord|webhook)\/([a-f0-9]+)$/.exec(url.pathname);
      if (hook && req.method === 'POST') {
        if (hook[2] !== token) return send(res, 404, { message: 'Unknown Webhook' });
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return send(res, 400, { message: 'body is not JSON' });
        }
        if (failing.count > 0) {
          failing.count--;
          return send(res, failing.status, { message: 'failing on purpose' });
        }
        received.push({ hook: hook[1], body, at: new Date().toISOString() });
        if (received.length > MAX_KEPT) received.splice(0, received.length - MAX_KEPT);
        opts.log?.(`webhook ${hook[1]} received: ${textOf(body).slice(0, 300)}`);
        return send(res, hook[1] === 'discord' ? 204 : 200, hook[1] === 'discord' ? '' : { ok: true });
      }
      if (url.pathname === '/_control/received' && req.method === 'GET') return send(res, 200, received);
      if (url.pathname === '/_control/received' && req.method === 'DELETE') {
        received.length = 0;
        return send(res, 200, { ok: true });
      }
      if (url.pathname === '/_control/fail' && req.method === 'POST') {
        const b = JSON.parse((await readBody(req)) || '{}') as { count?: number; status?: number };
        failing = { count: Number(b.count) || 0, status: Number(b.status) || 503 };
        return send(res, 200, { ok: true });
      }
      if (url.pathname === '/' && req.method === 'GET') {
        const rows = received
          .slice()
          .reverse()
          .map((r) => `<li><time>${escapeHtml(r.at)}</time> <b>${escapeHtml(r.hook)}</b> ${escapeHtml(textOf(r.body))}</li>`)
          .join('');
        return send(
          res,
          200,
          `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Notifications received</title><h1>Notifications received (${received.length})</h1><ul>${rows}</ul>`,
          'text/html; charset=utf-8',
        );
      }
      send(res, 404, { message: 'not found' });
    })().catch(() => send(res, 400, { message: 'bad request' }));
  });
  const served = await listenOnLoopback(server);
  return {
    url: served.url,
    urls: {
      slack: `${served.url}/hooks/slack/${token}`,
      discord: `${served.url}/hooks/discord/${token}`,
      webhook: `${served.url}/hooks/webhook/${token}`,
    },
    received: () => received.slice(),
    clear: () => void (received.length = 0),
    failNext: (count, status = 503) => void (failing = { count, status }),
    close: served.close,
  };
}
