/**
 * The one error family of the product. A domain error carries a code (what went wrong, for
 * the code that decides: the UI, a route's HTTP status) and a plain message (for the person,
 * shown as it is). Nobody decides on the message's words.
 */
export type ErrorCode =
  /** No session, or it ended. */
  | 'unauthenticated'
  /** The role or the cluster's RBAC does not allow it. */
  | 'forbidden'
  /** Too many actions in a short time. */
  | 'rate-limited'
  /** The request itself is not valid (bad name, bad form). */
  | 'invalid-input'
  /** The agent, pod, image or session is not there (or not in the dashboard's scope). */
  | 'not-found'
  /** The thing changed underneath, or another change to it is under way. */
  | 'conflict'
  /** A device login was asked on an agent that is already logged in: the user must confirm. */
  | 'already-logged-in'
  /** The cluster or the pod could not be reached or did not answer. */
  | 'unavailable'
  /** The operation was refused or failed for the reason its message gives. */
  | 'failed'
  /** Anything unexpected: the message says so without internals. */
  | 'internal';

const BRANDS = Symbol.for('openab.errorBrands');

/**
 * An error class whose `instanceof` holds across the bundle copies of its module (see
 * lib/process-state.ts): a probe shared by a page and an action may reject with an error made
 * by the other copy. Each subclass names its brand; one that does not falls back to the plain
 * prototype check.
 */
export class BrandedError extends Error {
  static readonly brand: string = 'BrandedError';
  readonly [BRANDS]: readonly string[];

  constructor(message: string) {
    super(message);
    const brands: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c))
      if (Object.hasOwn(c, 'brand')) brands.push((c as typeof BrandedError).brand);
    this[BRANDS] = brands;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    if (!Object.hasOwn(this, 'brand')) return Function.prototype[Symbol.hasInstance].call(this, value);
    const brands = (value as { [BRANDS]?: unknown } | null)?.[BRANDS];
    return Array.isArray(brands) && brands.includes(this.brand);
  }
}

/** Errors meant for the user: their message is shown as it is, their code decides. */
export class UserFacingError extends BrandedError {
  static override readonly brand: string = 'UserFacingError';

  constructor(
    message: string,
    readonly code: ErrorCode = 'failed',
  ) {
    super(message);
  }
}

export interface ActionFailure {
  ok: false;
  code: ErrorCode;
  message: string;
  fieldErrors?: Record<string, string[]>;
}

export type ActionResult<T> = { ok: true; data: T } | ActionFailure;

export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on the server. Try again; if it keeps failing, check the dashboard logs.';

/**
 * The one translator from a thrown error to what the user gets (server actions and route
 * handlers both use it): a user-facing error as it is; anything else logged and summarised
 * without internals.
 */
export function handleServerError(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof UserFacingError) return { code: err.code, message: err.message };
  console.error(JSON.stringify({ level: 'error', msg: 'action failed', error: err instanceof Error ? err.message : String(err) }));
  return { code: 'internal', message: INTERNAL_ERROR_MESSAGE };
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  'rate-limited': 429,
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  'already-logged-in': 409,
  unavailable: 502,
  failed: 502,
  internal: 500,
};

/** The HTTP status a route handler answers an error code with. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
