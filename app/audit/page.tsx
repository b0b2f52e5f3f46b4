import Link from 'next/link';
import { requirePageUser } from '@/lib/auth/guard';
import { GUARDED_PAGES } from '@/lib/auth/refused-page';
import { roleAtLeast } from '@/lib/auth/roles';
import { listFleetHistory } from '@/lib/audit/fleet-history';
import { agentKeyOf, auditFilterOf, filterAudit } from '@/lib/audit/export';
import { changeSentence } from '@/lib/audit/change-sentence';
import { Badge } from '@/components/agents/badges';
import { RelativeTime } from '@/components/ui/relative-time';
import { UnverifiedNote } from '@/components/actions/agent-history';

export const dynamic = 'force-dynamic';

const PAGE = 100;
const COLUMNS = ['When', 'Agent', 'User', 'Action', 'Result', 'Change / detail'];
type SearchParams = Record<string, string | string[] | undefined>;

// max-w-full: a select is as wide as its longest option (long agent keys), which must not widen the page.
const input = 'mt-0.5 block max-w-full rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950';
const label = 'min-w-0 max-w-full text-xs font-medium text-zinc-600 dark:text-zinc-400';

/** One filter of the trail: every value seen, and "all" (an empty value) first. */
function FilterSelect({
  label: text,
  name,
  value,
  all,
  options,
}: {
  label: string;
  name: string;
  value?: string;
  all: string;
  options: string[];
}) {
  return (
    <label className={label}>
      {text}
      <select name={name} defaultValue={value ?? ''} className={input}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Every action taken through the dashboard, read from its Events on the agents' Deployments.
 * Operators see every agent's history (their role lets them act on every agent); only admins
 * export the whole trail.
 */
export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePageUser(GUARDED_PAGES.audit.role, GUARDED_PAGES.audit.path);
  const sp = await searchParams;
  const filter = auditFilterOf(sp);
  const { entries, errors } = await listFleetHistory();
  const shown = filterAudit(entries, filter);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const rawPage = Array.isArray(sp.page) ? sp.page[0] : sp.page;
  const page = Math.min(Math.max(1, Number(rawPage) || 1), pages);
  const agents = [...new Set(entries.map(agentKeyOf))].sort();
  const actions = [...new Set(entries.map((e) => e.action))].sort();
  const query = (extra: Record<string, string>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q.toString();
  };
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Audit</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Every action taken through the dashboard, by anyone, on every agent in the watched namespaces.
        </p>
        <p className="mt-1 text-sm text-amber-800 dark:text-amber-300" data-testid="audit-expiry-note">
          This list is read from Kubernetes Events, which the cluster deletes after one hour by default. The durable record is the
          dashboard&apos;s log: one JSON line with
          <code className="mx-1 rounded bg-zinc-100 px-1 dark:bg-zinc-800">&quot;msg&quot;:&quot;audit&quot;</code>
          per action, for your log shipper.
        </p>
      </div>
      <form method="get" action="/audit" className="flex flex-wrap items-end gap-3" aria-label="Filter the audit trail">
        <FilterSelect label="Agent" name="agent" value={filter.agent} all="All agents" options={agents} />
        <label className={label}>
          User
          <input name="user" defaultValue={filter.user ?? ''} placeholder="name or e-mail" className={input} maxLength={300} />
        </label>
        <FilterSelect label="Action" name="action" value={filter.action} all="All actions" options={actions} />
        <FilterSelect
          label="Result"
          name="result"
          value={filter.result}
          all="All results"
          options={['success', 'failure', 'started', 'cancelled']}
        />
        <button
          type="submit"
          className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        >
          Filter
        </button>
        <Link href="/audit" className="text-sm hover:underline">
          Clear
        </Link>
        <span className="ml-auto flex gap-3 text-sm">
          {roleAtLeast(user.role, 'admin') ? (
            <>
              <a
                href={`/api/audit/export?${query({ format: 'csv' })}`}
                className="text-sky-700 hover:underline dark:text-sky-400"
                data-testid="export-csv"
              >
                Export CSV
              </a>
              <a
                href={`/api/audit/export?${query({ format: 'json' })}`}
                className="text-sky-700 hover:underline dark:text-sky-400"
                data-testid="export-json"
              >
                Export JSON
              </a>
            </>
          ) : (
            <span className="text-zinc-500" data-testid="export-disabled">
              Exporting the whole trail needs the Admin role.
            </span>
          )}
        </span>
      </form>
      {errors.map((e, i) => (
        <p key={i} role="alert" className="text-sm text-red-700 dark:text-red-300">
          {e}
        </p>
      ))}
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="audit-count">
        {shown.length} of {entries.length} recorded actions
      </p>
      {shown.some((e) => !e.verified) && (
        <p className="text-sm text-amber-800 dark:text-amber-300" data-testid="audit-unverified-note">
          Entries marked <strong>unverified</strong> do not carry this dashboard&apos;s signature (or it no longer matches): the dashboard
          did not record them as shown. Anyone allowed to create Events in an agent&apos;s namespace can write such an entry; entries signed
          under an earlier NEXTAUTH_SECRET read as unverified too.
        </p>
      )}
      {shown.length === 0 ? (
        <p className="text-sm text-zinc-500">Nothing matches (or the Events have expired).</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-left text-sm" data-testid="audit-table">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800">
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col" className="px-3 py-2">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {shown.slice((page - 1) * PAGE, page * PAGE).map((e, i) => (
                <tr
                  key={`${agentKeyOf(e)}/${e.sequence}/${i}`}
                  data-testid="audit-row"
                  data-action={e.action}
                  data-result={e.result}
                  data-verified={e.verified ? 'yes' : 'no'}
                >
                  <td className="whitespace-nowrap px-3 py-1.5 text-zinc-500">
                    <RelativeTime iso={e.at} suffix=" ago" />
                  </td>
                  <td className="px-3 py-1.5">
                    <Link
                      className="hover:underline"
                      href={`/agents/${encodeURIComponent(e.cluster)}/${encodeURIComponent(e.namespace)}/${encodeURIComponent(e.agent)}`}
                    >
                      {e.namespace}/{e.agent}
                    </Link>
                    <span className="block text-xs text-zinc-500">{e.cluster}</span>
                  </td>
                  <td className="px-3 py-1.5">
                    <span className="font-medium">{e.user}</span>
                    {e.role && <span className="block text-xs text-zinc-500">{e.role}</span>}
                  </td>
                  <td className="px-3 py-1.5">
                    <Badge kind="info">{e.action}</Badge>
                  </td>
                  <td className="px-3 py-1.5">
                    <Badge kind={e.result === 'failure' ? 'bad' : e.result === 'success' ? 'good' : 'neutral'}>{e.result}</Badge>
                    {!e.verified && (
                      <span className="mt-1 block">
                        <UnverifiedNote reason={e.unverified} />
                      </span>
                    )}
                  </td>
                  <td className="min-w-48 max-w-md px-3 wrap-anywhere py-1.5 text-zinc-700 dark:text-zinc-300">
                    {changeSentence(e)}
                    {e.detail && (
                      <span className={`block text-xs ${e.result === 'failure' ? 'text-red-700 dark:text-red-300' : 'text-zinc-500'}`}>
                        {e.detail}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav aria-label="Pages" className="flex gap-3 text-sm">
          {page > 1 && <Link href={`/audit?${query({ page: String(page - 1) })}`}>Newer</Link>}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages && <Link href={`/audit?${query({ page: String(page + 1) })}`}>Older</Link>}
        </nav>
      )}
    </div>
  );
}
