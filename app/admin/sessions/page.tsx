import { requirePageUser } from '@/lib/auth/guard';
import { GUARDED_PAGES } from '@/lib/auth/refused-page';
import { listSignedInUsers } from '@/lib/auth/end-sessions';
import { EndSessionsButton } from '@/components/auth/end-sessions-button';
import { RelativeTime } from '@/components/ui/relative-time';

export const dynamic = 'force-dynamic';

/** Admins end every session of a user (a stolen laptop, someone who left). */
export default async function SessionsPage() {
  await requirePageUser(GUARDED_PAGES.sessions.role, GUARDED_PAGES.sessions.path);
  const users = await listSignedInUsers();
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Sessions</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          People who signed in within the session lifetime. Ending their sessions signs them out on every replica; it is recorded in the
          audit.
        </p>
      </div>
      {users.length === 0 ? (
        <p className="text-sm">Nobody has signed in recently.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th scope="col" className="py-2 pr-4">
                User
              </th>
              <th scope="col" className="py-2 pr-4">
                Sign-in
              </th>
              <th scope="col" className="py-2 pr-4">
                Last sign-in
              </th>
              <th scope="col" className="py-2">
                Sessions
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.key} className="border-b border-zinc-100 dark:border-zinc-900">
                <th scope="row" className="py-2 pr-4 font-medium">
                  {u.name}
                </th>
                <td className="py-2 pr-4">{u.provider === 'local' ? 'Local account' : 'Single sign-on'}</td>
                <td className="py-2 pr-4">
                  <RelativeTime iso={new Date(u.lastSignInAt).toISOString()} suffix=" ago" />
                  {u.endedAt !== null && u.endedAt >= u.lastSignInAt && <span className="ml-2 text-zinc-500">(ended since)</span>}
                </td>
                <td className="py-2">
                  <EndSessionsButton userKey={u.key} name={u.name} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
