'use client';
import { useId, useState } from 'react';
import type { Feature } from '@/lib/codex/features';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { Permission } from '@/lib/operations/access';
import { Badge } from '@/components/agents/badges';
import { buttonClass } from '@/components/ui/confirm-dialog';
import { useFeatureChange } from './feature-switch';

/** Any feature of `codex features list`, by name: its stage and value, and a button to flip it. */
export function FeaturePicker({ agent, features, permission }: { agent: AgentRef; features: Feature[]; permission: Permission }) {
  const listId = useId();
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, boolean>>({});
  const feature = features.find((f) => f.name === name.trim());
  const enabled = feature ? (values[feature.name] ?? feature.enabled) : null;
  const change = useFeatureChange(agent, (on) => feature && setValues((v) => ({ ...v, [feature.name]: on })));
  return (
    <div className="space-y-2" data-testid="feature-picker">
      <div className="flex flex-wrap items-center gap-2">
        <label className="text-sm" htmlFor={`${listId}-input`}>
          Feature
        </label>
        <input
          id={`${listId}-input`}
          list={listId}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Type a feature name…"
          disabled={!permission.allowed}
          autoComplete="off"
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 py-1.5 font-mono text-sm sm:max-w-xs dark:border-zinc-700 dark:bg-zinc-900"
        />
        <datalist id={listId}>
          {features.map((f) => (
            <option key={f.name} value={f.name}>
              {f.stage}
            </option>
          ))}
        </datalist>
        {feature && (
          <>
            <Badge kind={feature.stage === 'stable' ? 'neutral' : feature.stage === 'under development' ? 'warn' : 'info'}>
              {feature.stage}
            </Badge>
            <span className="text-sm" data-testid="feature-picker-value">
              {enabled ? 'on' : 'off'}
            </span>
            <button
              type="button"
              className={buttonClass.secondary}
              disabled={!permission.allowed || change.busy}
              onClick={() => change.request(feature.name, feature.stage, !enabled)}
            >
              {change.busy ? 'Saving…' : enabled ? 'Turn off' : 'Turn on'}
            </button>
          </>
        )}
        {name.trim() && !feature && <span className="text-xs text-zinc-500">Codex lists no feature of that name.</span>}
      </div>
      {change.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {change.error}
        </p>
      )}
      {change.notice && (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
          {change.notice}
        </p>
      )}
      {change.dialog}
    </div>
  );
}
