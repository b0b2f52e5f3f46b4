// Shared plumbing of the API server's handlers: its dependencies, a resolved route, and
// reading and writing HTTP bodies the way kube-apiserver does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClusterController } from './controller';
import type { ExecRecorder, Knobs } from './knobs';
import { decodeProtobufObject } from './protobuf';
import type { RbacAuthorizer, UserInfo } from './rbac';
import type { ResourceType } from './resources';
import { ApiError, badRequest } from './status';
import type { ObjectStore } from './store';

export interface ApiServerDeps {
  store: ObjectStore;
  controller: ClusterController;
  rbac: RbacAuthorizer;
  /** Bearer token -> identity. */
  tokens: Map<string, UserInfo>;
  knobs: Knobs;
  recorder: ExecRecorder;
  serverAddress: () => string;
  log: (message: string) => void;
}

export interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MAX_BODY = 16 << 20;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage): Promise<any> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  if (/^application\/vnd\.kubernetes\.protobuf/i.test(req.headers['content-type'] ?? '')) return decodeProtobufObject(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  sendJson(res, err.code, err.toStatus());
}

export function rawError(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  const text: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
  };
  socket.end(
    `HTTP/1.1 ${err.code} ${text[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export const truthy = (v: string | null) => v === 'true' || v === '1';

export function internal(d: ApiServerDeps, err: unknown): ApiError {
  d.log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`, {
    causes: [{ message: String((err as Error)?.message ?? err) }],
  });
}

export function listKind(t: ResourceType): string {
  return `${t.kind}List`;
}

/** The Table version the client offered, preferring v1. */
export function tableVersion(accept: string | undefined): string {
  return /as=Table;v=v1beta1/.test(accept ?? '') && !/as=Table;v=v1(;|,|$)/.test(accept ?? '') ? 'v1beta1' : 'v1';
}
