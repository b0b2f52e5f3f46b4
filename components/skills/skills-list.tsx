import { Badge } from '@/components/agents/badges';
import type { SkillEntry } from '@/lib/skills/list';

/** An agent's skills: name, description, system or user, and what is wrong with the front matter. */
export function SkillsList({ skills }: { skills: SkillEntry[] | null }) {
  if (!skills) return <p className="text-sm text-zinc-500">The skills folder could not be read.</p>;
  if (skills.length === 0)
    return (
      <p className="text-sm text-zinc-500" data-testid="skills-empty">
        No skills in the agent&apos;s Codex home.
      </p>
    );
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="skills-list">
        <thead className="text-xs uppercase text-zinc-500">
          <tr>
            <th className="py-1 pr-3">Skill</th>
            <th className="pr-3">Kind</th>
            <th>Description / problems</th>
          </tr>
        </thead>
        <tbody>
          {skills.map((s) => (
            <tr
              key={s.dir}
              className="border-t border-zinc-100 align-top dark:border-zinc-800"
              data-testid="skill-row"
              data-skill={s.dir}
              data-valid={s.problems.length === 0}
            >
              <td className="py-1 pr-3">
                <div className="font-medium">{s.name || '(no name)'}</div>
                <code className="break-all text-xs text-zinc-500">skills/{s.dir}</code>
              </td>
              <td className="pr-3">
                <div className="flex flex-wrap gap-1">
                  <Badge kind={s.system ? 'neutral' : 'info'}>{s.system ? 'system' : 'user'}</Badge>
                  {s.delivery && <Badge kind="good">delivers files</Badge>}
                  {s.installedByDashboard && <Badge>by dashboard</Badge>}
                  {s.changedByHand && <Badge kind="warn">changed by hand</Badge>}
                </div>
              </td>
              <td className="break-words">
                {s.description && <p>{s.description}</p>}
                {s.problems.length > 0 && (
                  <ul className="text-red-800 dark:text-red-300" data-testid="skill-problems">
                    {s.problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
