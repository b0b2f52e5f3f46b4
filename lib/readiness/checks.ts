// The readiness checklist: would an image Codex makes now reach Discord? Each item is pass,
// fail or unknown, with the reason and the fix. Pure and free of server imports, so the
// overview computes the probe-based items in the browser from data it already has.
import type { SkillEntry } from '../skills/list';
import { describeGuideMistake, type GuideMistake } from '../codex/approval-modes';

export type CheckStatus = 'pass' | 'fail' | 'unknown';
export type CheckId = 'image-generation' | 'upload-token' | 'discord-permissions' | 'delivery-skill' | 'approval-mode';

export interface ReadinessItem {
  id: CheckId;
  label: string;
  status: CheckStatus;
  reason: string;
  /** What to do about a fail or unknown. */
  fix?: string;
}

export interface ChannelReadiness {
  channelId: string;
  name?: string;
  status: CheckStatus;
  /** Upload permissions the bot lacks there, by name. */
  missing: string[];
  reason: string;
}

export const CHECK_LABELS: Record<CheckId, string> = {
  'image-generation': 'Image generation is on',
  'upload-token': 'An upload token reaches Codex',
  'discord-permissions': 'The bot may post files where the agent talks',
  'delivery-skill': 'A delivery skill is installed',
  'approval-mode': 'Approval mode suits an unattended agent',
};

/** What each check costs, for the page and the docs. */
export const CHECK_COSTS: Record<CheckId, string> = {
  'image-generation': 'free: read from the probe the overview already runs',
  'approval-mode': 'free: read from the probe the overview already runs',
  'upload-token':
    'one exec per pod (shared with the skills check; cached per pod), plus one ConfigMap read when /etc/openab is not mounted',
  'discord-permissions': 'Discord API: bot user, guild, member and one call per allowed channel, cached a minute and shared across agents',
  'delivery-skill': 'the same exec as the token check',
};

/** Codex's reason (already reduced by the probe to what any role may read) on one line. */
const oneLine = (codexError: string): string => codexError.replace(/\n+/g, '; ').slice(0, 300);

const item = (id: CheckId, status: CheckStatus, reason: string, fix?: string): ReadinessItem => ({
  id,
  label: CHECK_LABELS[id],
  status,
  reason,
  ...(fix ? { fix } : {}),
});

export function imageGenerationCheck(
  probe: { imageGeneration: boolean | null; codexError?: string | null } | null,
  unreadable?: string | null,
): ReadinessItem {
  if (!probe)
    return item(
      'image-generation',
      'unknown',
      unreadable ?? 'The pod could not be probed.',
      'Wait for a running pod, or restart the agent.',
    );
  if (probe.imageGeneration === true) return item('image-generation', 'pass', 'Codex reports image_generation enabled (effective value).');
  if (probe.imageGeneration === false)
    return item(
      'image-generation',
      'fail',
      'Codex reports image_generation disabled: it cannot make images at all.',
      'Turn image_generation on in the Features table (operator).',
    );
  return item(
    'image-generation',
    'unknown',
    probe.codexError ? `Codex could not list its features: ${oneLine(probe.codexError)}` : 'Codex did not report image_generation.',
    'Fix the error Codex shows, then reload.',
  );
}

export function approvalCheck(
  approval: { ok: true; mode: string; guideMistake?: GuideMistake } | { ok: false; error: string } | null | undefined,
  codex?: { codexError?: string | null; codexMissing?: boolean } | null,
): ReadinessItem {
  if (!approval) return item('approval-mode', 'unknown', 'The pod could not be probed.');
  // Written per OpenAB's guide: say what Codex makes of it, before anything else.
  if (approval.ok && approval.guideMistake) {
    return item(
      'approval-mode',
      'fail',
      describeGuideMistake(approval.guideMistake),
      "Repair it with one action in the agent's approval form (operator): the keys Codex reads are written and the guide's leftovers removed.",
    );
  }
  // Codex refusing its config.toml means no session starts at all, whatever the keys say.
  if (codex?.codexError && !codex.codexMissing) {
    return item(
      'approval-mode',
      'fail',
      `Codex cannot load its config.toml: ${oneLine(codex.codexError)}`,
      'Fix config.toml by hand; every Codex session fails until then.',
    );
  }
  if (!approval.ok)
    return item(
      'approval-mode',
      'fail',
      `Codex cannot read its config.toml: ${approval.error}`,
      'Fix config.toml by hand; every Codex session fails until then.',
    );
  switch (approval.mode) {
    case 'auto-review':
      return item(
        'approval-mode',
        'pass',
        'Auto-review: commands such as the upload run without waiting for a person, with a reviewer checking them.',
      );
    case 'full-access':
      return item('approval-mode', 'pass', 'Full access: commands run unattended (without review; Auto-review is the safer choice).');
    case 'manual':
      return item(
        'approval-mode',
        'fail',
        'Manual: every command waits for a person to approve it, and nobody can from Discord, so the upload never runs.',
        'Switch the approval mode to Auto-review (operator).',
      );
    case 'default':
      return item(
        'approval-mode',
        'unknown',
        "No approval keys are set: Codex's built-in default applies.",
        'Set Auto-review explicitly (operator).',
      );
    default:
      return item(
        'approval-mode',
        'unknown',
        'A custom approval setting: whether it asks a person depends on its details.',
        'Check the approval keys shown above, or switch to Auto-review.',
      );
  }
}

export function permissionsCheck(
  result: { status: 'ok'; channels: ChannelReadiness[]; note?: string } | { status: 'unknown'; reason: string; fix?: string },
): ReadinessItem {
  if (result.status === 'unknown') return item('discord-permissions', 'unknown', result.reason, result.fix);
  const bad = result.channels.filter((c) => c.status === 'fail');
  const unknown = result.channels.filter((c) => c.status === 'unknown');
  const note = result.note ? ` ${result.note}` : '';
  if (result.channels.length === 0)
    return item(
      'discord-permissions',
      'unknown',
      `OpenAB lists no allowed channels to check.${note}`,
      "List the agent's channels in [discord].allowed_channels of OpenAB's config.toml.",
    );
  const name = (c: ChannelReadiness) => (c.name ? `#${c.name}` : c.channelId);
  if (bad.length) {
    return item(
      'discord-permissions',
      'fail',
      bad.map((c) => (c.missing.length ? `${name(c)}: missing ${c.missing.join(', ')}` : `${name(c)}: ${c.reason}`)).join('; ') + note,
      "Give the bot's role these permissions in Discord (Server Settings → Roles, or the channel's Permissions overwrites).",
    );
  }
  if (unknown.length) return item('discord-permissions', 'unknown', unknown.map((c) => `${name(c)}: ${c.reason}`).join('; ') + note);
  return item(
    'discord-permissions',
    'pass',
    `In ${result.channels.map(name).join(', ')}: View Channel, Send Messages, Send Messages in Threads and Attach Files.${note}`,
  );
}

export function skillCheck(skills: SkillEntry[] | null, unreadable?: string): ReadinessItem {
  if (!skills) return item('delivery-skill', 'unknown', unreadable ?? 'The skills folder could not be read.');
  const delivery = skills.filter((s) => s.delivery);
  const valid = delivery.find((s) => s.problems.length === 0);
  if (valid)
    return item(
      'delivery-skill',
      'pass',
      `skills/${valid.dir} (${valid.name}) tells Codex to upload what it makes.${valid.changedByHand ? ' Changed by hand since the dashboard installed it.' : ''}`,
    );
  if (delivery.length) {
    return item(
      'delivery-skill',
      'fail',
      `skills/${delivery[0].dir} cannot be loaded: ${delivery[0].problems.join('; ')}`,
      "Install the dashboard's delivery skill (operator), or fix its front matter.",
    );
  }
  return item(
    'delivery-skill',
    'fail',
    'No skill tells Codex to upload images, so it shows them inline and believes it is done.',
    'Install the delivery skill (operator).',
  );
}

export function overallStatus(items: ReadinessItem[]): CheckStatus {
  if (items.some((i) => i.status === 'fail')) return 'fail';
  if (items.some((i) => i.status === 'unknown')) return 'unknown';
  return 'pass';
}

export const CHECK_ORDER: CheckId[] = ['image-generation', 'upload-token', 'discord-permissions', 'delivery-skill', 'approval-mode'];

export function orderItems(items: ReadinessItem[]): ReadinessItem[] {
  return [...items].sort((a, b) => CHECK_ORDER.indexOf(a.id) - CHECK_ORDER.indexOf(b.id));
}
