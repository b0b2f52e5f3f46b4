'use client';
import { Suspense, use, useState } from 'react';
import type { RolloutStatus } from '@/lib/k8s/rollout';
import { IMAGE_GENERATION_FEATURE, type Feature } from '@/lib/codex/features';
import type { AgentRef } from '@/lib/operations/agent-ref';
import type { AgentActionAccess } from '@/lib/operations/access';
import type { ApprovalFormState, CurrentMode } from '@/lib/operations/approval-mode';
import { RestartControl } from './restart-control';
import { ApprovalForm } from './approval-form';
import { FeatureSwitch } from './feature-switch';
import { FeaturePicker } from './feature-picker';
import { PanelSkeleton } from '@/components/ui/panel';

/** What the settings half of the board needs from the pod (read after the rest of the page). */
export interface AgentSettings {
  approval: ApprovalFormState | null;
  /** The mode the probe read, for someone the form is not opened for (it stays disabled, showing it). */
  probedMode: CurrentMode | null;
  features: Feature[] | null;
  /** Why Codex's settings cannot be changed now (no running pod, Codex failing), if so. */
  settingsProblem: string | null;
}

export interface ActionsBoardProps {
  agent: AgentRef;
  strategy: string;
  access: AgentActionAccess;
  rollout: RolloutStatus | null;
  /** Streamed: restart shows at once, the settings when the pod has answered. */
  settings: Promise<AgentSettings>;
}

export function ActionsBoard({ agent, strategy, access, rollout, settings }: ActionsBoardProps) {
  const [restartSignal, setRestartSignal] = useState(0);
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
      <div className="min-w-0 space-y-6">
        <div>
          <h3 className="mb-2 text-sm font-semibold">Restart</h3>
          <RestartControl
            agent={agent}
            strategy={strategy}
            permission={access.restart}
            initialRollout={rollout}
            openSignal={restartSignal}
          />
        </div>
        <Suspense fallback={<PanelSkeleton label="Codex settings" lines={3} bare />}>
          <SettingsControls
            agent={agent}
            access={access}
            settings={settings}
            onRestart={() => setRestartSignal((n) => n + 1)}
            part="features"
          />
        </Suspense>
      </div>
      <Suspense fallback={<PanelSkeleton label="Approval mode" lines={4} bare />}>
        <SettingsControls
          agent={agent}
          access={access}
          settings={settings}
          onRestart={() => setRestartSignal((n) => n + 1)}
          part="approval"
        />
      </Suspense>
    </div>
  );
}

function SettingsControls({
  agent,
  access,
  settings,
  onRestart,
  part,
}: {
  agent: AgentRef;
  access: AgentActionAccess;
  settings: Promise<AgentSettings>;
  onRestart: () => void;
  part: 'features' | 'approval';
}) {
  const { approval, probedMode, features, settingsProblem } = use(settings);
  const label = `${agent.namespace}/${agent.name}`;
  const imageGeneration = features?.find((f) => f.name === IMAGE_GENERATION_FEATURE) ?? null;
  const settingsPermission = !access.editConfig.allowed
    ? access.editConfig
    : settingsProblem
      ? { allowed: false, reason: settingsProblem }
      : access.editConfig;
  if (part === 'approval')
    return <ApprovalForm agent={agent} form={approval} probedMode={probedMode} permission={settingsPermission} onRestart={onRestart} />;
  return (
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
  );
}
