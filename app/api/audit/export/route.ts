import { defineRoute } from '@/lib/auth/guard';
import { listFleetHistory } from '@/lib/audit/fleet-history';
import { auditCsv, auditFilterOf, auditJson, exportFileName, filterAudit } from '@/lib/audit/export';

export const dynamic = 'force-dynamic';

/** The audit trail as a file: `?format=csv|json` plus the page's filters (agent, user, action, result). */
export const GET = defineRoute({ name: 'audit-export', role: 'admin' }, async (request, _context, user) => {
  const params = new URL(request.url).searchParams;
  const format = params.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') return Response.json({ error: 'The format must be csv or json.' }, { status: 400 });
  const filter = auditFilterOf(params);
  const { entries, errors } = await listFleetHistory();
  const rows = filterAudit(entries, filter);
  const now = new Date();
  // Taking the trail away is itself worth a line in the log (there is no agent to put an Event on).
  console.log(
    JSON.stringify({
      level: 'info',
      msg: 'audit export',
      time: now.toISOString(),
      user: { name: user.name, email: user.email, role: user.role },
      format,
      filter,
      entries: rows.length,
    }),
  );
  const body = format === 'csv' ? auditCsv(rows) : auditJson(rows, { generatedAt: now.toISOString(), filter, errors });
  return new Response(body, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${exportFileName(format, now)}"`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
});
