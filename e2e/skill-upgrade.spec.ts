// An agent carrying the previous delivery skill (skills/discord-image-delivery) is offered the
// seed's skill (skills/discord-imagegen-deliver, scripts/send-discord-image.sh) with the
// difference first; confirming installs it and removes the previous one.
import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { agentPod, execAsAdmin } from './support/cluster-admin';
import { seededAgents } from './support/seed-truth';
import type { SeedAgent } from '../devcluster/seed/types';

const CLUSTER = 'dashboard@devcluster';
const HOME = 'H="${CODEX_HOME:-$HOME/.codex}"; ';

async function inPod(agent: SeedAgent, script: string, ...args: string[]): Promise<string> {
  return (await execAsAdmin(agent.namespace, await agentPod(agent), ['sh', '-c', HOME + script, 'sh', ...args])).out;
}

test('an agent with the previous skill is offered the upgrade with a diff, and gets the seed\u2019s skill', async ({ page }) => {
  test.setTimeout(120_000);
  const agent = (await seededAgents()).find(
    (a) => a.codex && !a.crashLooping && a.skills.includes('discord-image-delivery') && a.configLoads,
  )!;
  // Kept to put back afterwards: other tests see this agent as seeded.
  const saved = (await inPod(agent, 'tar -C "$H/skills" -czf - discord-image-delivery | base64 | tr -d "\\n"')).trim();
  expect(saved.length).toBeGreaterThan(100);
  try {
    await signIn(page, 'operator');
    await page.goto(`/agents/${encodeURIComponent(CLUSTER)}/${agent.namespace}/${agent.name}?tab=images`);
    await page.getByTestId('install-skill').click();
    const dialog = page.getByRole('dialog', { name: 'Replace the skill on the agent?' });
    await expect(dialog).toContainText('previous delivery skill (skills/discord-image-delivery)');
    const diff = dialog.getByTestId('skill-diff');
    await expect(diff).toContainText('--- skills/discord-image-delivery/SKILL.md (now)');
    await expect(diff).toContainText('+++ skills/discord-imagegen-deliver/scripts/send-discord-image.sh (dashboard)');
    await expect(diff).toContainText('+name: discord-imagegen-deliver');
    await dialog.getByRole('button', { name: "Replace with the dashboard's skill" }).click();
    await expect(page.getByTestId('install-skill-notice')).toContainText('The previous skill (skills/discord-image-delivery) was removed.');
    const listing = await inPod(agent, 'cd "$H/skills" && ls -d */ && ls discord-imagegen-deliver/scripts');
    expect(listing).toContain('discord-imagegen-deliver/');
    expect(listing).not.toContain('discord-image-delivery/');
    expect(listing).toContain('send-discord-image.sh');
    await page.reload();
    await expect(page.locator('[data-testid="skill-row"][data-skill="discord-imagegen-deliver"]')).toContainText('by dashboard');
    await expect(page.locator('[data-testid="readiness-item"][data-check="delivery-skill"]')).toHaveAttribute('data-status', 'pass');
  } finally {
    await inPod(
      agent,
      'rm -rf "$H/skills/discord-imagegen-deliver" "$H/skills/discord-image-delivery" && printf %s "$1" | base64 -d | tar -C "$H/skills" -xzf -',
      saved,
    );
  }
});

test('stable copies the skill keeps appear in the gallery, a copy of a listed image once', async ({ page }) => {
  test.setTimeout(120_000);
  const agents = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.login === 'chatgpt' && a.images > 0);
  // Not the gallery spec's agent: its image count stays as seeded.
  const agent = agents.find((a) => a.name !== 'openab-codex') ?? agents[0];
  const STABLE_SESSION = '019b0000-0000-7000-8000-0000000000b5';
  // One copy of a listed image (same thread folder and name), one whose original is gone.
  const listed = (
    await inPod(
      agent,
      'G="$H/generated_images"; s=$(ls "$G" | head -n 1); f=$(ls "$G/$s" | grep "\\.png$" | head -n 1); S="$HOME/generated-images"; mkdir -p "$S/$s" "$S/$1" && cp "$G/$s/$f" "$S/$s/$f" && cp "$G/$s/$f" "$S/$1/ig_stable.png" && printf "%s/%s" "$s" "$f"',
      STABLE_SESSION,
    )
  ).trim();
  const [session] = listed.split('/');
  try {
    await signIn(page, 'viewer');
    const gallery = (s: string) => `/agents/${encodeURIComponent(CLUSTER)}/${agent.namespace}/${agent.name}/images?session=${s}`;
    // A listing made before the copies were planted is reused for a while.
    await expect
      .poll(
        async () => {
          await page.goto(gallery(STABLE_SESSION));
          return page.getByTestId('gallery-total').textContent();
        },
        { timeout: 60_000, intervals: [1_000, 2_000] },
      )
      .toMatch(/^1 image,/);
    await page.getByRole('button', { name: /^Open ig_stable\.png/ }).click();
    await expect(page.getByRole('dialog').getByRole('definition').filter({ hasText: 'stable copy' })).toHaveText(
      '~/generated-images/ (stable copy)',
    );
    await page.goto(gallery(session));
    const names = await page.getByTestId('gallery-thumb').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')));
    expect(names.filter((n) => n === listed)).toHaveLength(1);
  } finally {
    await inPod(agent, 'rm -rf "$HOME/generated-images"');
  }
});
