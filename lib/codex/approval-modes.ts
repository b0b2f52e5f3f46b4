/**
 * The approval modes operators talk about, the keys Codex reads for each, and their names in
 * words: shared by the server (which edits config.toml) and the browser (which shows modes and
 * the readiness checklist), so nothing here parses TOML.
 */
export type ApprovalMode = 'manual' | 'auto-review' | 'full-access';

export const APPROVAL_MODES: readonly ApprovalMode[] = ['manual', 'auto-review', 'full-access'];

/**
 * The names Codex has given its automatic reviewer, newest first: `auto_review` since 0.125,
 * `guardian_subagent` before (Codex 0.121 and older refuse `auto_review`; every version since
 * still accepts `guardian_subagent`).
 */
export const AUTO_REVIEWERS = ['auto_review', 'guardian_subagent'] as const;
export type AutoReviewer = (typeof AUTO_REVIEWERS)[number];

export const isAutoReviewer = (value: unknown): value is AutoReviewer => (AUTO_REVIEWERS as readonly unknown[]).includes(value);

/** The exact top-level keys each mode writes (codex.md), Auto-review with the reviewer name given. */
export function approvalModeKeys(mode: ApprovalMode, autoReviewer: AutoReviewer = 'auto_review'): Readonly<Record<string, string>> {
  switch (mode) {
    case 'manual':
      return { approval_policy: 'on-request', approvals_reviewer: 'user' };
    case 'auto-review':
      return { approval_policy: 'on-request', approvals_reviewer: autoReviewer };
    case 'full-access':
      return { approval_policy: 'never', sandbox_mode: 'danger-full-access' };
  }
}

/**
 * How OpenAB's Codex guide tells operators to set the mode, which Codex does not do:
 * - 'sandbox-table': `[sandbox]` with `approval_policy = ...`; Codex has no such table and
 *   ignores it silently, so the agent runs on whatever the top-level keys say;
 * - 'invalid-policy': the guide's value (`"auto-review"`, `"full-access"`) as the top-level
 *   `approval_policy`, which Codex refuses: no Codex command starts.
 * `meant` is the mode the operator asked for, when the value names one.
 */
export type GuideMistake = { kind: 'sandbox-table' | 'invalid-policy'; meant: ApprovalMode | null };

/** What an operator is told about a guide mistake, in plain words. */
export function describeGuideMistake(mistake: GuideMistake): string {
  const meant = mistake.meant ? describeApprovalMode(mistake.meant) : 'another mode';
  return mistake.kind === 'sandbox-table'
    ? `config.toml has a [sandbox] table with approval_policy, as OpenAB's guide suggests. Codex ignores that table: this agent is not on ${meant} because of it.`
    : `config.toml sets approval_policy to a value OpenAB's guide suggests and Codex refuses: Codex cannot start any session until it is fixed.`;
}

/** Narrows untrusted input (a form field) to a mode. */
export function isApprovalMode(value: unknown): value is ApprovalMode {
  return typeof value === 'string' && (APPROVAL_MODES as readonly string[]).includes(value);
}

/** The names operators use. */
export function describeApprovalMode(mode: ApprovalMode | 'custom' | 'default'): string {
  switch (mode) {
    case 'manual':
      return 'Manual';
    case 'auto-review':
      return 'Auto-review';
    case 'full-access':
      return 'Full access';
    case 'custom':
      return 'Custom';
    case 'default':
      return "Codex's default";
  }
}

/**
 * Did Codex refuse a config.toml because it does not know the reviewer name `auto_review`
 * (Codex 0.121 and older: "unknown variant `auto_review`, expected `user` or
 * `guardian_subagent`")? Read from Codex's raw stderr on the server, never shown as it is.
 */
export function refusesAutoReviewName(codexStderr: string): boolean {
  return /unknown variant `?auto_review`?/.test(codexStderr) && /guardian_subagent/.test(codexStderr);
}
