// Files in an agent's generated_images that are not what they claim, as a viewer sees them
// over HTTP through the browser-facing routes of the production build: a hard link to
// auth.json and a text file named .png are neither shown nor served, and an image that was
// shown, then removed or replaced by a hard link in the pod, stops being served from the
// dashboard's cache once its listing is refreshed (IMAGE_LIST_CACHE_MS).
import { expect, test, type APIRequestContext } from '@playwright/test';
import { signIn } from './support/session';
import { agentPod, execAsAdmin } from './support/cluster-admin';
import { seededAgents } from './support/seed-truth';
import type { SeedAgent } from '../devcluster/seed/types';
import { nodeEvalArgv } from '../lib/pod/invocation';

const CLUSTER = 'dashboard@devcluster';
// A session directory of its own, removed afterwards.
const SESSION = '019b0000-0000-7000-8000-0000000000e2';
const galleryOf = (a: SeedAgent) => `/agents/${encodeURIComponent(CLUSTER)}/${a.namespace}/${a.name}/images?session=${SESSION}`;
const routeOf = (a: SeedAgent, kind: 'thumbnail' | 'file', file: string) =>
  `/api/images/${encodeURIComponent(CLUSTER)}/${a.namespace}/${a.name}/${kind}?path=${encodeURIComponent(`${SESSION}/${file}`)}`;

/** Runs a fixed node program in the agent's pod as the cluster admin (not through the dashboard); argv[1] is the Codex home. */
async function inPod(agent: SeedAgent, program: string, ...args: string[]): Promise<string> {
  return (await execAsAdmin(agent.namespace, await agentPod(agent), nodeEvalArgv('plant', program, args))).out;
}

// Three copies of a real image; a hard link to auth.json; a copy of auth.json named .png.
const PLANT = String.raw`const fs = require("fs"), H = process.argv[1], D = H + "/generated_images/" + process.argv[2];
fs.mkdirSync(D, { recursive: true });
const G = H + "/generated_images", s = fs.readdirSync(G).find((d) => d !== process.argv[2] && fs.readdirSync(G + "/" + d).some((f) => f.endsWith(".png")));
const src = G + "/" + s + "/" + fs.readdirSync(G + "/" + s).find((f) => f.endsWith(".png"));
for (const f of ["ig_kept.png", "ig_removed.png", "ig_relinked.png"]) fs.copyFileSync(src, D + "/" + f);
fs.linkSync(H + "/auth.json", D + "/ig_link.png");
fs.copyFileSync(H + "/auth.json", D + "/ig_text.png");
process.stdout.write(fs.readFileSync(H + "/auth.json").toString("base64"));`;
const SWAP = String.raw`const fs = require("fs"), D = process.argv[1] + "/generated_images/" + process.argv[2];
fs.unlinkSync(D + "/ig_removed.png");
fs.unlinkSync(D + "/ig_relinked.png");
fs.linkSync(process.argv[1] + "/auth.json", D + "/ig_relinked.png");`;
const CLEAN = String.raw`require("fs").rmSync(process.argv[1] + "/generated_images/" + process.argv[2], { recursive: true, force: true });`;

let agent: SeedAgent;
let auth: Buffer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const agents = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.login === 'chatgpt' && a.images > 0);
  // Not the gallery spec's agent: its image count stays as seeded.
  agent = agents.find((a) => a.name !== 'openab-codex') ?? agents[0];
  auth = Buffer.from(await inPod(agent, PLANT, SESSION), 'base64');
  expect(auth.length).toBeGreaterThan(20);
});

test.afterAll(async () => {
  if (agent) await inPod(agent, CLEAN, SESSION);
});

/** The session's gallery as a viewer gets it, once its listing shows the planted images. */
async function listedGallery(request: APIRequestContext): Promise<string> {
  let html = '';
  // A listing made before the files were planted is reused for IMAGE_LIST_CACHE_MS.
  await expect
    .poll(
      async () => {
        html = await (await request.get(galleryOf(agent))).text();
        return html.includes('ig_kept.png');
      },
      { timeout: 60_000, intervals: [1_000, 2_000] },
    )
    .toBe(true);
  return html;
}

test('a hard link to auth.json and a non-image named .png are neither shown nor served to a viewer', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'viewer');
  const html = await listedGallery(page.request);
  expect(html).not.toContain('ig_link.png');
  expect(html).not.toContain('ig_text.png');
  for (const file of ['ig_link.png', 'ig_text.png']) {
    for (const kind of ['thumbnail', 'file'] as const) {
      const res = await page.request.get(routeOf(agent, kind, file));
      expect(res.status(), `${kind} ${file}`).toBe(404);
      const body = await res.body();
      expect(body.includes(auth), `${kind} ${file}`).toBe(false);
      expect((await res.json()).error).toMatch(/no such image/);
    }
  }
});

test('an image shown to a viewer, then removed or replaced by a hard link in the pod, is no longer served once the listing is refreshed', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page, 'viewer');
  const html = await listedGallery(page.request);
  // The gallery's own URLs (with the version of each file), as the browser asks for them.
  const thumbs = [...html.matchAll(/\/api\/images\/[^"'\s]+?\/thumbnail\?[^"'\s\\]+/g)].map((m) => m[0].replace(/&amp;/g, '&'));
  const urls = (file: string) => {
    const thumb = thumbs.find((u) => new URL(u, 'http://x').searchParams.get('path') === `${SESSION}/${file}`)!;
    expect(thumb, file).toBeTruthy();
    return { thumb, full: thumb.replace('/thumbnail?', '/file?') };
  };
  const shown = { removed: urls('ig_removed.png'), relinked: urls('ig_relinked.png'), kept: urls('ig_kept.png') };
  for (const { thumb, full } of Object.values(shown)) {
    const t = await page.request.get(thumb);
    expect(t.status()).toBe(200);
    expect(t.headers()['content-type']).toBe('image/webp');
    const f = await page.request.get(full);
    expect(f.status()).toBe(200);
    expect((await f.body()).subarray(1, 4).toString()).toBe('PNG');
  }

  await inPod(agent, SWAP, SESSION);
  // Served from the cache until the listing is refreshed; refused from then on, whatever the cache holds.
  for (const { thumb, full } of [shown.removed, shown.relinked]) {
    for (const url of [full, thumb]) {
      await expect.poll(async () => (await page.request.get(url)).status(), { timeout: 75_000, intervals: [1_000, 2_000] }).toBe(404);
      const res = await page.request.get(url);
      expect((await res.body()).includes(auth)).toBe(false);
    }
  }
  // Asked for by name, past the gallery's URLs, the replaced file is not served either.
  for (const kind of ['thumbnail', 'file'] as const) {
    const res = await page.request.get(routeOf(agent, kind, 'ig_relinked.png'));
    expect(res.status()).toBe(404);
    expect((await res.body()).includes(auth)).toBe(false);
  }
  // The image left as it was is still shown.
  expect((await page.request.get(shown.kept.full)).status()).toBe(200);
  expect((await page.request.get(shown.kept.thumb)).status()).toBe(200);
});
