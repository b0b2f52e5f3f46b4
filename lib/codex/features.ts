/**
 * `codex features list|enable|disable`: parsing what they print, and the
 * check a feature name must pass before it goes anywhere near a command.
 */
import { codexErrorMessage, stripAnsi } from './cli-output';

/** The feature behind Codex's image generation (the `image_gen` tool), the switch the overview's cards show. */
export const IMAGE_GENERATION_FEATURE = 'image_generation';

export type FeatureStage = 'stable' | 'under development' | 'experimental' | 'deprecated' | 'removed';

export type Feature = {
  name: string;
  /** One of FeatureStage in Codex 0.169.0; a newer Codex may print another. */
  stage: FeatureStage | (string & {});
  /** The effective value Codex computed (config, then default). */
  enabled: boolean;
};

// name, stage (words, may contain a space), effective value; columns padded.
const FEATURE_LINE = /^([A-Za-z0-9_.-]{1,100})\s+([A-Za-z][A-Za-z ]{0,40}?)\s+(true|false)$/;

/**
 * Parses `codex features list` stdout. Tolerates colour codes, CRLF, blank
 * lines and header lines; lines that are not a feature row are ignored.
 * The first row of a repeated name wins.
 */
export function parseFeaturesList(stdout: string): Feature[] {
  const features: Feature[] = [];
  const seen = new Set<string>();
  for (const raw of stripAnsi(stdout).split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.length > 300) continue;
    const match = FEATURE_LINE.exec(line);
    if (!match) continue;
    const [, name, stage, value] = match;
    if (seen.has(name)) continue;
    seen.add(name);
    features.push({ name, stage: stage.trim().replace(/\s+/g, ' ').toLowerCase(), enabled: value === 'true' });
  }
  return features;
}

// Stricter than what the list may show (0.169.0 lists one removed feature
// with a dot in its name): nothing that needs toggling looks like that.
const SAFE_NAME = /^[a-z0-9_]{1,100}$/;

/**
 * A name may reach `codex features enable|disable` only when it is plain
 * lowercase ASCII and Codex itself listed it. The pattern alone already
 * rejects shell metacharacters, option-looking names, paths, look-alike
 * letters (Cyrillic, fullwidth) and zero-width characters; the list check
 * rejects everything Codex does not know.
 */
export function isValidFeatureName(name: string, known: readonly Feature[]): boolean {
  if (typeof name !== 'string' || !SAFE_NAME.test(name)) return false;
  return known.some((feature) => feature.name === name);
}

/** Stages that deserve a warning before enabling. */
export function isUnstableStage(stage: string): boolean {
  return stage === 'under development' || stage === 'experimental';
}

export type FeatureToggleResult =
  | { status: 'ok'; name?: string; enabled?: boolean; message: string; warning?: string }
  | { status: 'unknown-feature'; name: string; message: string }
  | { status: 'error'; message: string };

const TOGGLED = /(Enabled|Disabled) feature `([^`\n]{1,100})`[^\n]{0,200}/;

/** Reads the outcome of `codex features enable|disable NAME`. */
export function parseFeatureToggleOutput(stdout: string, stderr: string, exitCode: number | null): FeatureToggleResult {
  const out = stripAnsi(stdout);
  const err = stripAnsi(stderr);
  if (exitCode === 0) {
    const done = TOGGLED.exec(out) ?? TOGGLED.exec(err);
    const warningLine = err
      .split('\n')
      .find((line) => /under-development features enabled|warning/i.test(line) && !/PATH aliases/.test(line));
    const result: FeatureToggleResult = {
      status: 'ok',
      message: done ? done[0].trim() : (codexErrorMessage(out.trim().split('\n')[0] ?? '') ?? 'Done.'),
    };
    if (done) {
      result.name = done[2];
      result.enabled = done[1] === 'Enabled';
    }
    const warning = warningLine && codexErrorMessage(warningLine);
    if (warning) result.warning = warning;
    return result;
  }
  const unknown = /Unknown feature flag: ?([^\n]{0,200})/.exec(err) ?? /Unknown feature flag: ?([^\n]{0,200})/.exec(out);
  if (unknown) {
    return { status: 'unknown-feature', name: unknown[1].trim(), message: `Error: Unknown feature flag: ${unknown[1].trim()}` };
  }
  if (exitCode === null) {
    return { status: 'error', message: codexErrorMessage(err) ?? 'Codex did not finish (killed or timed out).' };
  }
  if (exitCode === 127 || /codex: (command )?not found|No such file or directory/.test(err)) {
    return { status: 'error', message: 'Codex is not installed in this container (command not found).' };
  }
  return { status: 'error', message: codexErrorMessage(err) ?? codexErrorMessage(out) ?? `Codex exited with code ${exitCode}.` };
}
