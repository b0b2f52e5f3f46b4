import { UserFacingError, type ErrorCode } from '../errors';

type ClusterErrorKind =
  'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'timeout' | 'server' | 'other';

const CODE_OF_KIND: Record<ClusterErrorKind, ErrorCode> = {
  unreachable: 'unavailable',
  unauthorized: 'forbidden',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  conflict: 'conflict',
  invalid: 'invalid-input',
  timeout: 'unavailable',
  server: 'unavailable',
  other: 'failed',
};

/**
 * Turns whatever the cluster client threw into one sentence an operator can act on.
 * Never includes request headers or bodies we sent (they may hold tokens).
 */
export class ClusterError extends UserFacingError {
  static override readonly brand: string = 'ClusterError';

  constructor(
    message: string,
    readonly kind: ClusterErrorKind,
    readonly status?: number,
  ) {
    super(message, CODE_OF_KIND[kind]);
  }
}

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const msg = (parsed as { message?: unknown } | null)?.message;
  return typeof msg === 'string' ? msg.slice(0, 500) : undefined;
}

export function toClusterError(err: unknown, what: string): ClusterError {
  if (err instanceof ClusterError) return err;
  const e = err as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string } };
  const status = typeof e?.code === 'number' ? e.code : undefined;
  const detail = statusMessage(e?.body);
  // A 400 is the API server refusing what was asked (a previous log that does not exist, ...):
  // its own reason is the plain answer, and nothing of the response's headers is.
  if (status === 400) return new ClusterError(`The cluster refused ${what}${detail ? `: ${detail}` : ''}.`, 'invalid', 400);
  if (status === 401)
    return new ClusterError(
      `The cluster did not accept the dashboard's credentials while ${what} (401). Check the kubeconfig or service-account token.`,
      'unauthorized',
      401,
    );
  if (status === 403)
    return new ClusterError(
      `The cluster refused ${what} (403): ${detail ?? 'forbidden'}. Ask an admin to grant the permission.`,
      'forbidden',
      403,
    );
  if (status === 404) return new ClusterError(`Not found while ${what}${detail ? `: ${detail}` : ''}.`, 'not-found', 404);
  if (status === 409)
    return new ClusterError(`Conflict while ${what}: ${detail ?? 'the object changed'}. Reload and try again.`, 'conflict', 409);
  if (status === 422) return new ClusterError(`The cluster rejected ${what} as invalid: ${detail ?? 'invalid'}.`, 'invalid', 422);
  if (status === 429) return new ClusterError(`The cluster is throttling requests (429) while ${what}. Try again shortly.`, 'server', 429);
  if (status && status >= 500)
    return new ClusterError(
      `The cluster's API failed (${status}) while ${what}${detail ? `: ${detail}` : ''}. Try again shortly.`,
      'server',
      status,
    );
  const code = (e as { code?: unknown })?.code ?? e?.cause?.code;
  const text = String(e?.message ?? err);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    /ECONNREFUSED|ENOTFOUND|fetch failed|socket hang up|ECONNRESET/.test(text)
  ) {
    return new ClusterError(
      `The cluster's API server cannot be reached while ${what}. Check that the cluster is up and the address in the kubeconfig is right.`,
      'unreachable',
    );
  }
  if (/timed? ?out|ETIMEDOUT|aborted/i.test(text)) return new ClusterError(`The cluster did not answer in time while ${what}.`, 'timeout');
  return new ClusterError(`Failed while ${what}: ${text.slice(0, 300)}`, 'other', status);
}
