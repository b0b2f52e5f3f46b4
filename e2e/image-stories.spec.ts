// The story behind an image, as a viewer finds it: what was asked and who asked, in the
// viewer; a search over it across the fleet; the session's conversation read-only, with a
// token an agent printed planted in it and never shown; a link to one image that survives a
// reload; page numbers and a jump to a date.
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/session';
import { agentPod, execAsAdmin } from './support/cluster-admin';
import { seededAgents } from './support/seed-truth';
import type { SeedAgent } from '../devcluster/seed/types';
import { nodeEvalArgv } from '../lib/pod/invocation';

const SESSION = '019b0000-0000-7000-8000-0000000000a7';
const CALL = 'ig_story0000000000000000000000000000a7';
const WORD = 'zanzibarquokka';
const REQUEST = `Paint a ${WORD} surfing at dawn`;
const REVISED = `A ${WORD} riding a wave at sunrise, watercolour`;
const PLANTED = 'planted-e2e-secret-7c1d0a9b3e';

/** A session rollout as Codex writes one, planted with an image copied from the agent's own. */
const PLANT = String.raw`const fs = require("fs"), H = process.argv[1], S = process.argv[2], C = process.argv[3], W = process.argv[4], P = process.argv[5];
const G = H + "/generated_images", s = fs.readdirSync(G).find((d) => d !== S && fs.readdirSync(G + "/" + d).some((f) => f.endsWith(".png")));
fs.mkdirSync(G + "/" + S, { recursive: true });
fs.copyFileSync(G + "/" + s + "/" + fs.readdirSync(G + "/" + s).find((f) => f.endsWith(".png")), G + "/" + S + "/" + C + ".png");
const now = new Date(), day = now.toISOString().slice(0, 10), D = H + "/sessions/" + day.replace(/-/g, "/");
fs.mkdirSync(D, { recursive: true });
const at = () => new Date().toISOString();
const sender = { schema: "openab.sender.v1", sender_id: "424242424242424242", sender_name: "quinn.r", display_name: "Quinn", channel: "discord", channel_id: "111111111111111111", thread_id: "222222222222222222", is_bot: false };
const rec = (type, payload) => JSON.stringify({ timestamp: at(), type, payload });
const lines = [
  rec("session_meta", { id: S, timestamp: at(), cli_version: "0.169.0" }),
  rec("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: "<environment_context>\n  <cwd>" + H + "</cwd>\n</environment_context>" }] }),
  rec("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: "<sender_context>\n" + JSON.stringify(sender) + "\n</sender_context>\n\n" + W.split("|")[0] }] }),
  rec("response_item", { type: "image_generation_call", id: C, status: "completed", revised_prompt: W.split("|")[1], result: "" }),
  rec("response_item", { type: "function_call", name: "exec_command", arguments: JSON.stringify({ cmd: "env" }), call_id: "call_env" }),
  rec("response_item", { type: "function_call_output", call_id: "call_env", output: "Process exited with code 0\nOutput:\nHOME=" + H + "\nDISCORD_BOT_TOKEN=" + P + "\nPATH=/usr/bin\n" }),
  rec("response_item", { type: "function_call", name: "exec_command", arguments: JSON.stringify({ cmd: "ls generated_images" }), call_id: "call_ls" }),
  rec("response_item", { type: "function_call_output", call_id: "call_ls", output: "Process exited with code 0\nOutput:\n" + S + "\n" }),
  rec("response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: "Here it is. I used DISCORD_BOT_TOKEN=" + P + " to check." }] }),
];
fs.writeFileSync(D + "/rollout-" + now.toISOString().slice(0, 19).replace(/:/g, "-") + "-" + S + ".jsonl", lines.join("\n") + "\n");`;
const CLEAN = String.raw`const fs = require("fs"), H = process.argv[1], S = process.argv[2];
fs.rmSync(H + "/generated_images/" + S, { recursive: true, force: true });
for (const y of fs.readdirSync(H + "/sessions")) for (const m of fs.readdirSync(H + "/sessions/" + y)) for (const d of fs.readdirSync(H + "/sessions/" + y + "/" + m))
  for (const f of fs.readdirSync(H + "/sessions/" + y + "/" + m + "/" + d)) if (f.endsWith(S + ".jsonl")) fs.rmSync(H + "/sessions/" + y + "/" + m + "/" + d + "/" + f);`;

let agent: SeedAgent;
const inPod = async (program: string, ...args: string[]) =>
  (await execAsAdmin(agent.namespace, await agentPod(agent), nodeEvalArgv('plant', program, args))).out;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const agents = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.login === 'chatgpt' && a.images > 0);
  // Not the gallery spec's agent: its image count stays as seeded.
  agent = agents.find((a) => a.name !== 'openab-codex') ?? agents[0];
  await inPod(PLANT, SESSION, CALL, `${REQUEST}|${REVISED}`, PLANTED);
});

test.afterAll(async () => {
  if (agent) await inPod(CLEAN, SESSION);
});

/** Searches the fleet gallery from its form until the planted image is listed (a listing is reused for a while). */
async function search(page: Page, words: string) {
  await page.goto('/images');
  await expect
    .poll(
      async () => {
        await page.getByRole('searchbox', { name: 'Search' }).fill(words);
        await page.getByRole('button', { name: 'Apply' }).click();
        await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(words).replace(/%20/g, '\\+')}`));
        return page.getByTestId('gallery-total').textContent();
      },
      { timeout: 60_000, intervals: [1_000, 2_000] },
    )
    .toMatch(/^1 image,/);
}

test('the viewer shows what was asked and who asked; search finds it; its link survives a reload', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'viewer');
  await search(page, `${WORD} quinn`);
  await page.getByRole('button', { name: new RegExp(`^Open ${CALL}\\.png`) }).click();
  const viewer = page.getByRole('dialog');
  await expect(viewer.getByTestId('image-request')).toHaveText(REQUEST);
  await expect(viewer.getByTestId('image-revised-prompt')).toHaveText(REVISED);
  await expect(viewer.getByRole('definition').filter({ hasText: 'Quinn' })).toBeVisible();
  await expect(page).toHaveURL(/[?&]image=/);

  await page.reload();
  await expect(page.getByRole('dialog')).toHaveAttribute('data-image', `${SESSION}/${CALL}.png`);
  const link = await page.getByRole('dialog').getByRole('link', { name: 'Link to this image' }).getAttribute('href');
  await page.goto(link!);
  await expect(page.getByRole('dialog')).toHaveAttribute('data-image', `${SESSION}/${CALL}.png`);

  // Words that appear nowhere find nothing.
  await page.goto(`/images?q=${WORD}+nobody-asked-this`);
  await expect(page.getByTestId('gallery-empty')).toBeVisible();
});

test('the conversation is read-only, images inline, tool calls folded, the planted token nowhere', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'viewer');
  await search(page, WORD);
  await page.getByRole('button', { name: new RegExp(`^Open ${CALL}\\.png`) }).click();
  await page.getByRole('dialog').getByRole('link', { name: 'View conversation' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Conversation');
  const conversation = page.getByRole('list', { name: 'Conversation' });
  await expect(conversation.getByRole('article', { name: 'Request' })).toContainText(REQUEST);
  await expect(conversation.getByRole('article', { name: 'Request' })).toContainText('Quinn');
  await expect(conversation.getByRole('img', { name: `Generated image ${CALL}.png` })).toBeVisible();
  await expect(conversation).toContainText(REVISED);
  const tools = conversation.getByRole('group');
  await expect(tools).toHaveCount(2);
  await expect(tools.first()).not.toHaveAttribute('open');
  await tools.first().locator('summary').click();
  await expect(tools.first()).toContainText('Output withheld');
  await tools.nth(1).locator('summary').click();
  await expect(tools.nth(1)).toContainText(SESSION);
  expect(await page.content()).not.toContain(PLANTED);
  const html = await (await page.request.get(page.url())).text();
  expect(html).not.toContain(PLANTED);
  for (const url of [
    `/images?q=${WORD}`,
    `/images?q=${WORD}&image=${encodeURIComponent(`dashboard@devcluster/${agent.namespace}/${agent.name}/${SESSION}/${CALL}.png`)}`,
  ]) {
    expect(await (await page.request.get(url)).text()).not.toContain(PLANTED);
  }
  // A session that is not there is a 404, and a hostile id never reaches the pod.
  const base = `/agents/${encodeURIComponent('dashboard@devcluster')}/${agent.namespace}/${agent.name}/images/sessions`;
  expect((await page.request.get(`${base}/019b0000-0000-7000-8000-00000000dead`)).status()).toBe(404);
  expect((await page.request.get(`${base}/..%2F..%2Fauth.json`)).status()).toBe(404);
});

test('the gallery pages by number and jumps to a date', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'viewer');
  await page.goto('/images');
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await pages.getByRole('link', { name: 'Page 3', exact: true }).click();
  await expect(page).toHaveURL(/[?&]page=3/);
  await expect(pages.locator('[aria-current=page]')).toHaveText('3');
  await expect(page.getByTestId('gallery-total')).toContainText('page 3 of');
  // The oldest page, then back to the newest by a date input.
  const last = Number(/page 3 of (\d+)/.exec((await page.getByTestId('gallery-total').textContent())!)![1]);
  await pages.getByRole('link', { name: `Page ${last}`, exact: true }).click();
  await expect(page.getByTestId('gallery-total')).toContainText(`page ${last} of`);
  const oldestDay = (await page.getByTestId('gallery-thumb').last().textContent())!.match(/\d{4}-\d{2}-\d{2}/)![0];
  await pages.getByRole('link', { name: 'Page 1', exact: true }).click();
  await expect(page.getByTestId('gallery-total')).toContainText('page 1 of');
  await page.getByLabel('Jump to date').fill(oldestDay);
  await page.getByRole('button', { name: 'Go' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]date=${oldestDay}`));
  await expect(page.getByTestId('gallery-thumb').filter({ hasText: oldestDay }).first()).toBeVisible();
});
