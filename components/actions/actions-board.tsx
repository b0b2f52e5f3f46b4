'use client';
import { useState } from 'react';
import type { RolloutStatus } from '@/lib/k8s/rollout';
import type { Feature } from '@/lib/codex/features';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { AgentActionAccess } from '@/lib/operations/access';
import type { ApprovalFormState } from '@/lib/operations/approval-mode';
import { RestartControl } from './restart-control';
import { ApprovalForm } from './approval-form';
import { FeatureSwitch } from './feature-switch';
import { FeaturePicker } from './feature-picker';

export interface ActionsBoardProps {
  agent: AgentRef;
  strategy: string;
  access: AgentActionAccess;
  rollout: RolloutStatus | null;
  approval: ApprovalFormState | null;
  features: Feature[] | null;
  /** Why Codex's settings cannot be changed now (no running pod, Codex failing), if so. */
  settingsProblem: string | null;
}

export function ActionsBoard({ agent, strategy, access, rollout, approval, features, settingsProblem }: ActionsBoardProps) {
  const [restartSignal, setRestartSignal] = useState(0);
  const label = `${agent.namespace}/${agent.name}`;
  const imageGeneration = features?.find((f) => f.name === 'image_generation') ?? null;
  const settingsPermission = !access.editConfig.allowed ? access.editConfig : settingsProblem ? { allowed: false, reason: settingsProblem } : access.editConfig;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <div className="min-w-0 space-y-6">
        <div>
          <h3 className="mb-2 text-sm font-semibold">Restart</h3>
          <RestartControl agent={agent} strategy={strategy} permission={access.restart} initialRollout={rollout} openSignal={restartSignal} />
        </div>
        <div>
          <h3 className="mb-2 text-sm font-semibold">Features</h3>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span>Image generation</span>
            <FeatureSwitch
              agent={agent}
              name="image_generation"
              stage={imageGeneration?.stage ?? 'stable'}
              enabled={imageGeneration?.enabled ?? null}
              permission={settingsPermission}
              label={`Image generation for ${label}`}
            />
          </div>
          {!settingsPermission.allowed && (
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="features-disabled-reason">
              {settingsPermission.reason}
            </p>
          )}
          {features && features.length > 0 && (
            <div className="mt-3">
              <FeaturePicker agent={agent} features={features} permission={settingsPermission} />
            </div>
          )}
        </div>
      </div>
      <ApprovalForm agent={agent} form={approval} permission={settingsPermission} onRestart={() => setRestartSignal((n) => n + 1)} />
    </div>
  );
}
