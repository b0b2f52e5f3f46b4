import Link from 'next/link';
import { requirePageUser } from '@/lib/auth/guard';
import { GUARDED_PAGES } from '@/lib/auth/refused-page';
import { galleryAgents, agentKey } from '@/lib/images/gallery';
import { listFailedDeliveries } from '@/lib/deliveries/fleet-deliveries';
import { deliveryTargetNames } from '@/lib/deliveries/target-names';
import { messageLink } from '@/lib/discord/client';
import { DeliveriesTable, type DeliveryRow } from '@/components/images/deliveries-table';
import { resendPermission, type SearchParams } from '@/components/images/gallery-page';

export const dynamic = 'force-dynamic';

const PAGE = 50;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function DeliveriesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePageUser(GUARDED_PAGES.deliveries.role, GUARDED_PAGES.deliveries.path);
  const sp = await searchParams;
  const agentFilter = one(sp.agent);
  const show = one(sp.show) ?? 'open';
  const agents = await galleryAgents();
  const selected = agentFilter ? agents.filter((a) => agentKey(a.ref) === agentFilter) : agents;
  // Marks may come from another dashboard replica: read them fresh.
  const results = await listFailedDeliveries(selected, { maxAgeMs: 3_000 });
  const rows: DeliveryRow[] = results.flatMap((r) =>
    r.items.map((d) => {
      const base = `/api/images/${encodeURIComponent(r.ref.clusterId)}/${encodeURIComponent(r.ref.namespace)}/${encodeURIComponent(r.ref.name)}`;
      const q = new URLSearchParams({ path: d.image, v: `${d.size}-${Math.round(d.mtimeMs)}` });
      return {
        id: `${agentKey(r.ref)}/${d.image}`,
        cluster: r.ref.clusterId,
        namespace: r.ref.namespace,
        agent: r.ref.name,
        image: d.image,
        file: d.file,
        session: d.session,
        kind: d.kind,
        target: d.target,
        attemptedTarget: d.attemptedTarget,
        at: d.at,
        error: d.error,
        attempts: d.attempts,
        thumbUrl: `${base}/thumbnail?${q}`,
        fullUrl: `${base}/file?${q}`,
        redelivered: d.redelivered
          ? {
              messageId: d.redelivered.messageId,
              channelId: d.redelivered.channelId,
              link: messageLink(d.redelivered.guildId, d.redelivered.channelId, d.redelivered.messageId),
              by: d.redelivered.by,
              at: d.redelivered.at,
            }
          : null,
      };
    }),
  );
  rows.sort((a, b) => b.at.localeCompare(a.at) || a.id.localeCompare(b.id));
  const shown = rows.filter((r) => (show === 'all' ? true : show === 'done' ? r.redelivered : !r.redelivered));
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const page = Math.min(Math.max(1, Number(one(sp.page)) || 1), pages);
  const pageRows = shown.slice((page - 1) * PAGE, page * PAGE);
  // Names beside ids, asked only for the rows shown, with each agent's own bot.
  const names = await deliveryTargetNames(
    pageRows.map((r) => ({ ref: { clusterId: r.cluster, namespace: r.namespace, name: r.agent }, target: r.target })),
  );
  for (const r of pageRows) r.targetName = r.target ? (names.get(`${r.cluster}/${r.namespace}/${r.agent} ${r.target}`) ?? null) : null;
  const errors = results.filter((r) => r.error);
  const link = (p: number) => {
    const q = new URLSearchParams();
    if (agentFilter) q.set('agent', agentFilter);
    if (show !== 'open') q.set('show', show);
    if (p > 1) q.set('page', String(p));
    return `/deliveries${q.size ? `?${q}` : ''}`;
  };
  const input = 'mt-0.5 block rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950';
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Failed deliveries</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Images whose upload to Discord failed, and images the agent never sent to its thread, found in the agents&apos; sessions.
        </p>
      </div>
      <form method="get" action="/deliveries" className="flex flex-wrap items-end gap-3" aria-label="Filter deliveries">
        <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Agent
          <select name="agent" defaultValue={agentFilter ?? ''} className={input}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={agentKey(a.ref)} value={agentKey(a.ref)}>
                {a.ref.namespace}/{a.ref.name}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Show
          <select name="show" defaultValue={show} className={input}>
            <option value="open">Not delivered yet</option>
            <option value="done">Re-delivered</option>
            <option value="all">All</option>
          </select>
        </label>
        <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white dark:bg-sky-600">
          Apply
        </button>
      </form>
      {errors.length > 0 && (
        <ul
          role="alert"
          className="space-y-1 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          {errors.map((e) => (
            <li key={agentKey(e.ref)}>
              {e.ref.namespace}/{e.ref.name}: {e.error}
            </li>
          ))}
        </ul>
      )}
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="deliveries-total">
        {shown.length} shown · {rows.filter((r) => !r.redelivered).length} not delivered · {rows.filter((r) => r.redelivered).length}{' '}
        re-delivered
      </p>
      <DeliveriesTable rows={pageRows} permission={resendPermission(user.role)} />
      {pages > 1 && (
        <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
          {page > 1 ? (
            <Link href={link(page - 1)} className="text-sky-700 hover:underline dark:text-sky-400">
              ← Newer
            </Link>
          ) : (
            <span className="text-zinc-400">← Newer</span>
          )}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? (
            <Link href={link(page + 1)} className="text-sky-700 hover:underline dark:text-sky-400">
              Older →
            </Link>
          ) : (
            <span className="text-zinc-400">Older →</span>
          )}
        </nav>
      )}
    </div>
  );
}
