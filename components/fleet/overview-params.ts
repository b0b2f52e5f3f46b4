import { z } from 'zod';

/**
 * The overview's view as it lives in the URL, so a link reproduces it and back/forward walk
 * through it. Every value comes from the address bar, so anything unknown, malformed or out of
 * range falls back to its default on its own (one bad parameter never spoils the others).
 */

export const VIEWS = ['cards', 'table'] as const;
export type ViewKind = (typeof VIEWS)[number];

export const STATE_FILTERS = ['all', 'attention', 'logged-in', 'not-logged-in', 'expired', 'crash-looping', 'unreadable'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export const APPROVAL_FILTERS = ['all', 'manual', 'auto-review', 'full-access', 'custom', 'default', 'guide'] as const;
export type ApprovalFilter = (typeof APPROVAL_FILTERS)[number];

export const LOGIN_FILTERS = ['all', 'chatgpt', 'apikey', 'expired', 'not-logged-in', 'unreadable'] as const;
export type LoginFilter = (typeof LOGIN_FILTERS)[number];

export const READINESS_FILTERS = ['all', 'pass', 'fail', 'unknown'] as const;
export type ReadinessFilter = (typeof READINESS_FILTERS)[number];

export const SORT_KEYS = [
  'attention',
  'name',
  'namespace',
  'version',
  'login',
  'approval',
  'image-generation',
  'readiness',
  'activity',
  'images',
  'restarts',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;
/** How many agents on screen the overview names when it refreshes (the first of a bigger page): they are kept freshest. */
export const SHOWN_LIMIT = 100;

export interface OverviewParams {
  /** Null when the URL does not choose: the person's remembered choice applies. */
  view: ViewKind | null;
  cluster: string;
  namespace: string;
  state: StateFilter;
  approval: ApprovalFilter;
  login: LoginFilter;
  readiness: ReadinessFilter;
  version: string;
  q: string;
  sort: SortKey;
  dir: SortDir;
  page: number;
  size: number;
}

export const DEFAULT_PARAMS: OverviewParams = {
  view: null,
  cluster: 'all',
  namespace: 'all',
  state: 'all',
  approval: 'all',
  login: 'all',
  readiness: 'all',
  version: 'all',
  q: '',
  sort: 'attention',
  dir: 'asc',
  page: 1,
  size: DEFAULT_PAGE_SIZE,
};

// Names of clusters, namespaces and versions are matched against the fleet, never used as code;
// this only keeps nonsense (control characters, kilobytes) out of the page.
const nameLike = z
  .string()
  .max(253)
  .regex(/^[\w.@:/+-]+$/);

const fields = {
  view: z.enum(VIEWS),
  cluster: nameLike,
  ns: nameLike,
  state: z.enum(STATE_FILTERS),
  approval: z.enum(APPROVAL_FILTERS),
  login: z.enum(LOGIN_FILTERS),
  readiness: z.enum(READINESS_FILTERS),
  version: nameLike,
  q: z.string().max(200),
  sort: z.enum(SORT_KEYS),
  dir: z.enum(['asc', 'desc']),
  page: z.coerce.number().int().min(1).max(100_000),
  size: z.coerce
    .number()
    .pipe(z.union(PAGE_SIZES.map((s) => z.literal(s)) as [z.ZodLiteral<25>, z.ZodLiteral<50>, z.ZodLiteral<100>, z.ZodLiteral<200>])),
} as const;

type Field = keyof typeof fields;

/** URL parameter name -> the view's own name for it. */
const KEY_OF: Record<Field, keyof OverviewParams> = {
  view: 'view',
  cluster: 'cluster',
  ns: 'namespace',
  state: 'state',
  approval: 'approval',
  login: 'login',
  readiness: 'readiness',
  version: 'version',
  q: 'q',
  sort: 'sort',
  dir: 'dir',
  page: 'page',
  size: 'size',
};

export function parseOverviewParams(search: Pick<URLSearchParams, 'get'>): OverviewParams {
  const out: Record<string, unknown> = { ...DEFAULT_PARAMS };
  for (const field of Object.keys(fields) as Field[]) {
    const raw = search.get(field);
    if (raw === null) continue;
    const parsed = fields[field].safeParse(raw);
    if (parsed.success) out[KEY_OF[field]] = parsed.data;
  }
  return out as unknown as OverviewParams;
}

/** The query string of a view, defaults left out so links stay short. */
export function overviewSearch(params: OverviewParams): string {
  const search = new URLSearchParams();
  for (const field of Object.keys(fields) as Field[]) {
    const value = params[KEY_OF[field]];
    if (value === null || value === DEFAULT_PARAMS[KEY_OF[field]]) continue;
    search.set(field, String(value));
  }
  return search.toString();
}
