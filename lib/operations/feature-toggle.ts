import 'server-only';
import { invalidateProbe } from '../fleet/probe';
import { UserFacingError } from '../errors';
import { isUnstableStage, isValidFeatureName, parseFeatureToggleOutput, parseFeaturesList, type Feature } from '../codex/features';
import { codexErrorMessage } from '../codex/cli-output';
import { lastHead } from '../pod/frames';
import { podErrorCode, podErrorWords } from '../pod/errors';
import { CONFIG_SUBJECT } from './pod-config';
import { execInAgentPod, findAgentPod, runInAgentPod, type AgentPodTarget } from './target';
import { record, type Actor } from './activity';
import { agentLabel, type AgentRef } from './agent-ref';

/**
 * The name's shape alone (plain lowercase ASCII), checked before anything touches the cluster:
 * `x; rm -rf ~`, `--help`, `../x`, look-alike letters and zero-width characters never get as
 * far as an exec. Codex's own list is the second check.
 */
export function isPlausibleFeatureName(name: unknown): name is string {
  return typeof name === 'string' && isValidFeatureName(name, [{ name, stage: 'stable', enabled: false }]);
}

/** Shown as the error for a name that fails the shape check (never echoed raw: it may be anything). */
export const BAD_FEATURE_NAME =
  'That is not a feature name: names are lowercase letters, digits and underscores, as `codex features list` prints them. Nothing was run.';

async function liveFeatures(target: AgentPodTarget): Promise<Feature[]> {
  const out = await execInAgentPod(target, {
    argv: ['codex', 'features', 'list'],
    timeoutMs: 30_000,
    maxStdoutBytes: 1024 * 1024,
  });
  if (out.exitCode !== 0) {
    const why = codexErrorMessage(out.stderr) ?? `codex features list exited with code ${out.exitCode}`;
    throw new UserFacingError(`Codex could not list its features, so nothing was changed. Codex said: ${why}`);
  }
  return parseFeaturesList(out.stdout.toString('utf8'));
}

export interface FeatureChangeRequest {
  name: string;
  enabled: boolean;
  /** The user was warned that the feature is still under development and went on. */
  confirmUnstable: boolean;
}

export type FeatureChangeResult =
  | { status: 'changed'; name: string; enabled: boolean; message: string; warning?: string }
  | { status: 'unchanged'; name: string; enabled: boolean; message: string }
  | { status: 'confirm-unstable'; name: string; stage: string; message: string };

/** Turns a Codex feature on or off in the agent's pod with Codex's own command. */
export async function changeFeature(ref: AgentRef, req: FeatureChangeRequest, actor: Actor): Promise<FeatureChangeResult> {
  if (!isPlausibleFeatureName(req.name)) throw new UserFacingError(BAD_FEATURE_NAME);
  const target = await findAgentPod(ref);
  const features = await liveFeatures(target);
  if (!isValidFeatureName(req.name, features)) {
    throw new UserFacingError(
      `Codex ${features.length ? 'does not list' : 'listed no features, so it cannot check'} a feature called "${req.name}" on ${agentLabel(ref)}. Nothing was changed.`,
    );
  }
  const feature = features.find((f) => f.name === req.name)!;
  if (feature.enabled === req.enabled) {
    return { status: 'unchanged', name: req.name, enabled: req.enabled, message: `${req.name} is already ${req.enabled ? 'on' : 'off'}.` };
  }
  if (req.enabled && isUnstableStage(feature.stage) && !req.confirmUnstable) {
    return {
      status: 'confirm-unstable',
      name: req.name,
      stage: feature.stage,
      message: `${req.name} is ${feature.stage === 'experimental' ? 'experimental' : 'still under development'}: it may change or break without notice. Confirm to turn it on.`,
    };
  }
  const verb = req.enabled ? 'enable' : 'disable';
  const out = await runInAgentPod(target, 'feature-toggle', [verb, req.name], { timeoutMs: 30_000, maxStdoutBytes: 64 * 1024 });
  invalidateProbe(target.cluster.id, target.pod.uid);
  const audit = { action: 'feature', before: { [req.name]: feature.enabled }, after: { [req.name]: req.enabled } };
  const answer = lastHead(out.frames);
  const refused = podErrorWords(podErrorCode(answer), CONFIG_SUBJECT);
  if (refused) {
    await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: answer });
    throw new UserFacingError(refused);
  }
  const printed = out.frames.find((f) => f.head === 'codex')?.body.toString('utf8') ?? '';
  const result = parseFeatureToggleOutput(printed, out.stderr, out.exitCode);
  if (result.status !== 'ok') {
    await record(target.cluster, actor, ref, { ...audit, result: 'failure', detail: result.message });
    throw new UserFacingError(`Codex did not ${verb} ${req.name}: ${result.message}`);
  }
  await record(target.cluster, actor, ref, { ...audit, result: 'success', detail: result.warning });
  return {
    status: 'changed',
    name: req.name,
    enabled: req.enabled,
    message: `${req.name} is now ${req.enabled ? 'on' : 'off'} in config.toml. New Codex sessions use it; running ones after a restart.`,
    ...(result.warning ? { warning: result.warning } : {}),
  };
}
