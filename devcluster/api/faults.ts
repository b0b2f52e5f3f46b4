// Failures injected by tests and benchmarks through the knobs: 500, 429, or no answer at all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, type ApiServerDeps } from './http';
import { ApiError } from './status';

/** Answers with an injected failure when a fault matches; true when it did. */
export async function injectFault(d: ApiServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, verb: string): Promise<boolean> {
  const fault = d.knobs.takeFault(`${url.pathname}${url.search}`, verb, req.method ?? 'GET');
  if (!fault) return false;
  if (fault === 500) sendError(res, new ApiError(500, 'InternalError', 'Internal error occurred: injected fault'));
  else if (fault === 429)
    sendError(
      res,
      new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }, { 'Retry-After': '1' }),
    );
  else {
    // A request that never gets an answer, as behind a hung load balancer.
    const t = setTimeout(() => res.destroy(), 120_000);
    res.on('close', () => clearTimeout(t));
  }
  return true;
}
