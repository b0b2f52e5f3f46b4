// Images, deliveries and re-delivery through the real client against the dev cluster with
// the demo seed and its fake Discord: exec counts, byte-exact transfers, the seed's truth.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import { buildSeed } from '../../devcluster/seed';
import type { SeedAgent } from '../../devcluster/seed/types';
import { getCluster } from '../k8s/clusters';
import { DASHBOARD_CONTEXT, resetAppCaches, startTestCluster, type TestCluster } from '../testing/devcluster';
import { execInPod } from '../k8s/exec';
import { execInPodStreaming } from '../k8s/exec-stream';
import { agentPod, forgetAgentPod, type AgentRef } from './agent-pod';
import { readInventory, resetInventoryCacheForTests } from './inventory';
import { cachedOriginal, cachedThumbnail, ImageUnavailableError, openOriginal, thumbnail } from './gallery-service';
import type { ImageEntry } from './inventory-output';
import { serveImage } from './serve';
import { listGallery } from './gallery';
import { imageSettings, resetImageSettings } from './settings';
import { deliveriesOf } from '../deliveries/fleet-deliveries';
import { resendImage, ResendError } from '../deliveries/resend';
import { nodeEvalArgv } from '../pod/invocation';
import { transferPage } from './transfer';
import { ClusterError } from '../k8s/errors';

let cluster: DevCluster;
let truth: SeedAgent[];
let testCluster: TestCluster;
let scratch: string;
const CONTEXT = DASHBOARD_CONTEXT;
const user = { name: 'sam', email: 'sam@example.com', role: 'support' };

/** A new dashboard process: nothing in memory, same disk cache setting, same cluster. */
const restartDashboard = resetAppCaches;

const refOf = (a: SeedAgent): AgentRef => ({ clusterId: CONTEXT, namespace: a.namespace, name: a.name });
const execs = () => cluster.stats().execs;

async function podSha256(ref: AgentRef, name: string): Promise<string> {
  const target = await agentPod(ref);
  const out = await execInPod(getCluster(CONTEXT), {
    namespace: target.namespace,
    pod: target.pod,
    container: 'openab',
    argv: nodeEvalArgv(
      'sha',
      'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1] + "/generated_images/" + process.argv[2])).digest("hex"))',
      [name],
    ),
    timeoutMs: 20_000,
  });
  return out.stdout.toString();
}

beforeAll(async () => {
  testCluster = await startTestCluster('images', { seed: 'demo' });
  ({ cluster, scratch } = testCluster);
  const seed = await buildSeed('demo', { dataDir: path.join(scratch, 'truth') });
  truth = seed.agents ?? [];
  testCluster.pointApp({
    // Releases with several agents (codex-2, ...) need the seed's selector.
    AGENT_SELECTOR: seed.codexSelector,
    IMAGE_CACHE_DIR: path.join(scratch, 'cache'),
    DISCORD_API_BASE: cluster.discordUrl,
    DISCORD_BOT_TOKEN: undefined,
    DISCORD_FILE_BOT_TOKEN: undefined,
  });
}, 180_000);

afterAll(async () => {
  await testCluster?.stop();
});

const big = () => truth.find((a) => a.codex && a.images >= 300)!;
const hostile = () => truth.find((a) => a.strayFiles?.length)!;

describe("finding an agent's pod", () => {
  it("picks each agent's own running pod among its namespace's agents, as the fleet does, from the watch cache", async () => {
    const { listAgentWorkloads, activePod } = await import('../k8s/agents');
    const workloads = await listAgentWorkloads(getCluster(CONTEXT));
    const running = truth.filter((a) => a.codex && !a.crashLooping);
    // Namespaces with several agents: each must get its own pod, not a neighbour's.
    expect(running.some((a) => running.filter((b) => b.namespace === a.namespace).length > 1)).toBe(true);
    for (const agent of running) {
      forgetAgentPod(refOf(agent));
      const before = cluster.stats().requests;
      const target = await agentPod(refOf(agent));
      // From the watch cache: no request to the API server.
      expect(cluster.stats().requests - before, agent.name).toBe(0);
      const workload = workloads.find((w) => w.namespace === agent.namespace && w.name === agent.name)!;
      expect(target.pod, agent.name).toBe(activePod(workload)?.name);
    }
  });

  it('refuses what is not a Codex agent of this dashboard, and a Deployment that does not exist', async () => {
    const kiro = truth.find((a) => !a.codex)!;
    await expect(agentPod(refOf(kiro))).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/is not a Codex agent of this dashboard/),
    });
    await expect(agentPod({ clusterId: CONTEXT, namespace: kiro.namespace, name: 'no-such-agent' })).rejects.toBeInstanceOf(ClusterError);
  });
});

describe('listing', () => {
  it('one exec lists an agent: every seeded image, sessions and strays', async () => {
    const agent = big();
    const before = execs();
    const inv = await readInventory(refOf(agent));
    expect(execs() - before).toBe(1);
    expect(inv.images).toHaveLength(agent.images);
    expect(inv.sessions.size).toBe(agent.sessions);
    expect(inv.images[0].mtimeMs).toBeGreaterThanOrEqual(inv.images.at(-1)!.mtimeMs);
    expect(inv.images.every((i) => i.width && i.height && i.size > 0)).toBe(true);
    // Served from memory for a while.
    await readInventory(refOf(agent));
    expect(execs() - before).toBe(1);
  });

  it('a second listing sends only the rollouts that changed', async () => {
    const agent = big();
    const inv = await readInventory(refOf(agent), { maxAgeMs: 0 });
    expect(inv.sessionsTransferred).toBe(0);
    expect(inv.sessions.size).toBe(agent.sessions);
  });

  it('the stable folder the delivery skill copies to is a second source, a copy of a listed image shown once', async () => {
    const agent = big();
    const ref = refOf(agent);
    const first = (await readInventory(ref, { maxAgeMs: 0 })).images[0];
    const target = await agentPod(ref);
    // A copy of a listed image (the same image), and a copy whose original is gone.
    const plant = String.raw`const fs = require("fs"), H = process.argv[1], S = process.env.HOME + "/generated-images";
fs.mkdirSync(S + "/" + process.argv[2].split("/")[0], { recursive: true }); fs.mkdirSync(S + "/stable-only", { recursive: true });
fs.copyFileSync(H + "/generated_images/" + process.argv[2], S + "/" + process.argv[2]);
fs.copyFileSync(H + "/generated_images/" + process.argv[2], S + "/stable-only/ig_kept.png");`;
    const run = (program: string, ...args: string[]) =>
      execInPod(getCluster(CONTEXT), {
        namespace: target.namespace,
        pod: target.pod,
        container: 'openab',
        argv: nodeEvalArgv('plant', program, args),
        timeoutMs: 20_000,
      });
    await run(plant, first.name);
    try {
      const inv = await readInventory(ref, { maxAgeMs: 0 });
      expect(inv.images).toHaveLength(agent.images + 1);
      expect(inv.images.filter((e) => e.name === first.name).map((e) => e.source)).toEqual([undefined]);
      const stable = inv.images.find((e) => e.name === 'stable-only/ig_kept.png')!;
      expect(stable).toMatchObject({ source: 'stable', size: first.size, width: first.width });
      expect((await thumbnail(ref, stable)).size).toBeGreaterThan(0);
      const original = await openOriginal(ref, stable);
      const chunks: Buffer[] = [];
      for await (const c of original.stream) chunks.push(c as Buffer);
      expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(await podSha256(ref, first.name));
      // The delivery skill's copies are not failed deliveries of their own.
      expect(deliveriesOf(inv).some((d) => d.image === stable.name)).toBe(false);
    } finally {
      await run(String.raw`require("fs").rmSync(process.env.HOME + "/generated-images", { recursive: true, force: true });`);
      await readInventory(ref, { maxAgeMs: 0 });
    }
  });

  it('hostile entries: the symlink and the text file are strays, never images', async () => {
    const agent = hostile();
    const inv = await readInventory(refOf(agent));
    // Session ids depend on the seed's clock; file names do not.
    const [truncated, symlink, text] = agent.strayFiles!.map((p) => p.split('/').pop()!);
    expect(inv.images.map((i) => i.file)).toContain(truncated);
    expect(inv.images.map((i) => i.file)).not.toContain(symlink);
    expect(inv.strays.map((s) => [s.name.split('/').pop(), s.why])).toEqual(
      expect.arrayContaining([
        [symlink, 'symlink'],
        [text, 'not-an-image'],
      ]),
    );
    expect(inv.images).toHaveLength(agent.images);
  });
});

describe('thumbnails', () => {
  it('50 thumbnails take few execs; a repeat view touches no pod', async () => {
    const ref = refOf(big());
    const entries = (await readInventory(ref)).images.slice(0, 50);
    const before = execs();
    const served = await Promise.all(entries.map((e) => thumbnail(ref, e)));
    const used = execs() - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(3);
    expect(served.every((s) => !s.placeholder && s.size > 0)).toBe(true);
    const head = readFileSync(served[0].path);
    expect(head.toString('latin1', 0, 4)).toBe('RIFF');
    expect(head.toString('latin1', 8, 12)).toBe('WEBP');

    restartDashboard();
    const again = execs();
    const repeat = await Promise.all(entries.map((e) => cachedThumbnail(ref, e)));
    expect(repeat.every((r) => r !== null)).toBe(true);
    const page = await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 1, pageSize: 50, warm: false });
    expect(page.items.map((i) => i.name)).toEqual(entries.map((e) => e.name));
    // The listing is the only exec: no thumbnail needed the pod.
    expect(execs() - again).toBe(1);
    await Promise.all(entries.map((e) => thumbnail(ref, e)));
    expect(execs() - again).toBe(1);
  });

  /** Every thumbnail of a page, as the browser asks for them once the page is shown. */
  const pageThumbnails = async (ref: AgentRef, items: Array<{ name: string }>) => {
    const inv = await readInventory(ref);
    const served = await Promise.all(
      items.map((item) =>
        thumbnail(
          ref,
          inv.images.find((e) => e.name === item.name)!,
        ),
      ),
    );
    // The transfers' execs close just after their last file: let them, so the next count is this test's own.
    await new Promise((r) => setTimeout(r, 300));
    return served;
  };
  const useCache = (name: string) => {
    restartDashboard();
    process.env.IMAGE_CACHE_DIR = path.join(scratch, name);
    resetImageSettings();
  };

  it('a cold gallery page is sent beside its listing: the pod picks the same page, no further exec', async () => {
    useCache('cache-page');
    const ref = refOf(big());
    const before = execs();
    const page = await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 2, pageSize: 20 });
    // The listing and the page's transfer were started before the page was known.
    expect(execs() - before).toBe(2);
    const served = await pageThumbnails(ref, page.items);
    expect(served.every((s) => !s.placeholder && s.size > 0)).toBe(true);
    // Every thumbnail of the page came with that transfer.
    expect(execs() - before).toBe(2);
  });

  it('with a session and a date filter the pod still picks the page the listing gives', async () => {
    useCache('cache-filtered');
    const ref = refOf(big());
    const listed = await readInventory(ref);
    // The session with the most images, on the day of its newest one.
    const counts = new Map<string, number>();
    for (const e of listed.images) counts.set(e.session, (counts.get(e.session) ?? 0) + 1);
    const session = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const day = new Date(listed.images.find((e) => e.session === session)!.mtimeMs).toISOString().slice(0, 10);
    resetInventoryCacheForTests();
    const before = execs();
    const page = await listGallery({ agents: [{ ref, error: null }], filters: { session, from: day, to: day }, page: 1, pageSize: 20 });
    expect(page.items.length).toBeGreaterThan(1);
    expect(page.items.every((i) => i.session === session && i.created.startsWith(day))).toBe(true);
    await pageThumbnails(ref, page.items);
    expect(execs() - before).toBe(2);
  });

  it('what does not fit a page transfer is fetched after the listing', async () => {
    useCache('cache-budget');
    // Room for half the page.
    const newest = (await readInventory(refOf(big()))).images.slice(0, 6);
    process.env.IMAGE_BATCH_MAX_MB = String(newest.reduce((n, e) => n + e.size, 0) / 2 / imageSettings().transfersPerVolume / 1024 / 1024);
    resetImageSettings();
    resetInventoryCacheForTests();
    try {
      const ref = refOf(big());
      const before = execs();
      const page = await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 1, pageSize: 6 });
      const served = await pageThumbnails(ref, page.items);
      expect(served.every((s) => !s.placeholder && s.size > 0)).toBe(true);
      expect(execs() - before).toBeGreaterThan(2);
    } finally {
      delete process.env.IMAGE_BATCH_MAX_MB;
      resetImageSettings();
    }
  });

  it('a page transfer leaves out the thumbnails this process has cached; an agent whose last page needed no pod gets none', async () => {
    useCache('cache-skip');
    const ref = refOf(big());
    const first = await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 3, pageSize: 20 });
    await pageThumbnails(ref, first.items);
    // The cache is emptied behind this process's back: had the page transfer sent the page
    // again, its thumbnails would need no further exec; left out, they take one more.
    rmSync(path.join(scratch, 'cache-skip'), { recursive: true, force: true });
    resetInventoryCacheForTests();
    const before = execs();
    const again = await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 3, pageSize: 20 });
    expect(execs() - before).toBe(2);
    await pageThumbnails(ref, again.items);
    expect(execs() - before).toBe(3);
    // Shown once more with every thumbnail cached, the page needs no pod: the listing after
    // that sends no page at all.
    resetInventoryCacheForTests();
    const third = execs();
    await pageThumbnails(ref, (await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 3, pageSize: 20 })).items);
    expect(execs() - third).toBe(2);
    resetInventoryCacheForTests();
    const fourth = execs();
    await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 3, pageSize: 20 });
    await new Promise((r) => setTimeout(r, 100));
    expect(execs() - fourth).toBe(1);
  });

  it('the fleet-wide gallery sends no pages ahead: one listing exec per agent', async () => {
    restartDashboard();
    const refs = [refOf(big()), refOf(hostile())];
    const before = execs();
    // A date with no images: nothing to warm, so every exec counted is a listing or a page transfer.
    const page = await listGallery({
      agents: refs.map((ref) => ({ ref, error: null })),
      filters: { from: '2999-01-01' },
      page: 1,
      warm: true,
    });
    expect(page.items).toHaveLength(0);
    expect(execs() - before).toBe(refs.length);
  });

  it('a page transfer to a pod that is gone fails in plain words, as a cluster error', async () => {
    const target = await agentPod(refOf(big()));
    const named: string[] = [];
    const attempt = transferPage({ ...target, pod: `${target.pod}-gone` }, { offset: 0, size: 4 }, [], {
      onPage: (files) => named.push(...files.map((f) => f.name)),
      onBytes: () => undefined,
      onError: () => undefined,
    });
    await expect(attempt).rejects.toBeInstanceOf(ClusterError);
    expect(named).toEqual([]);
  });

  it('a truncated PNG gets a placeholder, not an error', async () => {
    const agent = hostile();
    const ref = refOf(agent);
    const truncated = agent.strayFiles![0].split('/').pop();
    const entry = (await readInventory(ref)).images.find((i) => i.file === truncated)!;
    const served = await thumbnail(ref, entry);
    expect(served.placeholder).toBe(true);
  });

  it('a symlink out of generated_images is refused in the pod', async () => {
    const agent = hostile();
    const ref = refOf(agent);
    const name = (await readInventory(ref)).strays.find((s) => s.why === 'symlink')!.name;
    const [session, file] = name.split('/');
    await expect(thumbnail(ref, { name, session, file, size: 10, mtimeMs: 1, ino: 0, width: null, height: null })).rejects.toThrow(
      ImageUnavailableError,
    );
    await expect(thumbnail(ref, { name, session, file, size: 10, mtimeMs: 1, ino: 0, width: null, height: null })).rejects.toThrow(
      /symlink/,
    );
  });

  it('the original streams byte-exact and is cached', async () => {
    const ref = refOf(big());
    const entry = (await readInventory(ref)).images[3];
    const first = await openOriginal(ref, entry);
    const chunks: Buffer[] = [];
    for await (const c of first.stream) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(entry.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(await podSha256(ref, entry.name));
    await new Promise((r) => setTimeout(r, 200));
    const before = execs();
    const second = await openOriginal(ref, entry);
    expect(second.cached).toBe(true);
    second.stream.destroy();
    expect(execs() - before).toBe(0);
  });
});

describe('streaming exec', () => {
  it('a slow reader pauses the pod instead of filling memory', async () => {
    const target = await agentPod(refOf(big()));
    const size = 24 * 1024 * 1024;
    const exec = execInPodStreaming(getCluster(CONTEXT), {
      namespace: target.namespace,
      pod: target.pod,
      container: 'openab',
      argv: ['head', '-c', String(size), '/dev/zero'],
      timeoutMs: 60_000,
      maxStdoutBytes: size,
      highWaterMark: 1024 * 1024,
    });
    let got = 0;
    let maxBuffered = 0;
    let first = true;
    for await (const chunk of exec.stdout) {
      // Each read returns everything buffered so far: its size is what piled up meanwhile.
      got += (chunk as Buffer).length;
      maxBuffered = Math.max(maxBuffered, (chunk as Buffer).length);
      await new Promise((r) => setTimeout(r, first ? 400 : 10));
      first = false;
    }
    expect(got).toBe(size);
    expect((await exec.result).exitCode).toBe(0);
    // The connection was held back while the reader slept, and little piled up meanwhile.
    expect(exec.pauses()).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(8 * 1024 * 1024);
  });

  it('over the byte cap the stream fails in plain words', async () => {
    const target = await agentPod(refOf(big()));
    const exec = execInPodStreaming(getCluster(CONTEXT), {
      namespace: target.namespace,
      pod: target.pod,
      container: 'openab',
      argv: ['head', '-c', '3000000', '/dev/zero'],
      timeoutMs: 30_000,
      maxStdoutBytes: 1_000_000,
    });
    await expect(
      (async () => {
        for await (const _ of exec.stdout) void _;
      })(),
    ).rejects.toThrow(/more than 1000000 bytes/);
    await expect(exec.result).rejects.toThrow(/more than/);
  });
});

describe('failed deliveries', () => {
  it('match the seed: every failed upload by kind and every never-sent image', async () => {
    for (const agent of truth.filter((a) => a.codex && !a.crashLooping && a.images > 0)) {
      const found = deliveriesOf(await readInventory(refOf(agent)));
      const failedTruth = Object.entries(agent.uploads)
        .filter(([k]) => k !== 'ok' && k !== 'never-sent')
        .reduce((n, [, v]) => n + v, 0);
      const where = `${agent.namespace}/${agent.name}`;
      expect(found.filter((f) => f.kind === 'failed').length, where).toBe(failedTruth);
      expect(found.filter((f) => f.kind === 'never-sent').length, where).toBe(agent.uploads['never-sent'] ?? 0);
      expect(
        found.every((f) => f.error.length > 0 && f.at),
        where,
      ).toBe(true);
    }
  });
});

describe('re-delivery', () => {
  it('reaches the fake Discord byte-exact, once for a double click, and stays marked after a restart', async () => {
    const agent = big();
    const ref = refOf(agent);
    const item = deliveriesOf(await readInventory(ref)).find((d) => d.kind === 'failed' && /resolve the host/.test(d.error) && d.target)!;
    expect(item).toBeTruthy();
    const before = cluster.discord.messages().length;
    const [a, b] = await Promise.all([
      resendImage({ ref, image: item.image, target: item.target!, message: 'Re-sent by support', user }),
      resendImage({ ref, image: item.image, target: item.target!, message: 'Re-sent by support', user }),
    ]);
    expect(a.messageId).toBe(b.messageId);
    const got = cluster.discord.messages().slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].status).toBe(200);
    expect(got[0].channelId).toBe(item.target);
    expect(got[0].content).toBe('Re-sent by support');
    expect(got[0].attachments[0].filename).toBe(item.file);
    expect(got[0].attachments[0].sha256).toBe(await podSha256(ref, item.image));
    expect(a.link).toMatch(new RegExp(`^https://discord.com/channels/\\d+/${item.target}/${a.messageId}$`));

    restartDashboard();
    forgetAgentPod(ref);
    const after = deliveriesOf(await readInventory(ref)).find((d) => d.image === item.image)!;
    expect(after.redelivered?.messageId).toBe(a.messageId);
    // A later click sends nothing again.
    const again = await resendImage({ ref, image: item.image, target: item.target!, user });
    expect(again.alreadyDelivered).toBe(true);
    expect(cluster.discord.messages().length).toBe(before + 1);
    // The audit event holds no token.
    const events = await getCluster(CONTEXT).core.listNamespacedEvent({ namespace: agent.namespace });
    const audit = events.items.filter((e) => e.reason === 'OpenABDashboardAction' && /resend success/.test(e.message ?? ''));
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(events.items)).not.toContain('demo-bot-token');
  });

  it('a channel where the bot may not post is explained and not marked', async () => {
    const agent =
      truth.find(
        (a) => a.codex && !a.crashLooping && (a.uploads['missing-permissions'] ?? 0) > 0 && a.namespace === 'team-b' && a.images === 24,
      ) ?? big();
    const ref = refOf(agent);
    const item = deliveriesOf(await readInventory(ref)).find((d) => d.discordCode === 50013 && d.target)!;
    expect(item).toBeTruthy();
    await expect(resendImage({ ref, image: item.image, target: item.target!, user })).rejects.toThrow(/Attach Files/);
    restartDashboard();
    const after = deliveriesOf(await readInventory(ref)).find((d) => d.image === item.image)!;
    expect(after.redelivered).toBeNull();
  });

  it('bad input changes nothing and says why', async () => {
    const ref = refOf(big());
    const before = cluster.discord.messages().length;
    await expect(resendImage({ ref, image: '../auth.json', target: '123456789012345678', user })).rejects.toThrow(ResendError);
    await expect(resendImage({ ref, image: 'abc/x.png', target: '12; rm -rf /', user })).rejects.toThrow(/17 to 20 digits/);
    await expect(resendImage({ ref, image: 'abc/missing.png', target: '123456789012345678', user })).rejects.toThrow(/no image/);
    expect(cluster.discord.messages().length).toBe(before);
  });
});

describe('files in generated_images that are not what they claim', () => {
  // Planted in a session directory of their own, removed afterwards.
  const SESSION = '019b0000-0000-7000-8000-0000000000f3';
  const name = (file: string) => `${SESSION}/${file}`;
  const loggedIn = () => truth.find((a) => a.codex && !a.crashLooping && a.login === 'chatgpt' && a.images > 0)!;

  /** A fixed node program in the agent's pod, as the cluster admin would run it: argv[1] is the Codex home. */
  async function inPod(ref: AgentRef, program: string, ...args: string[]): Promise<string> {
    const target = await agentPod(ref);
    const out = await execInPod(getCluster(CONTEXT), {
      namespace: target.namespace,
      pod: target.pod,
      container: 'openab',
      argv: nodeEvalArgv('plant', program, args),
      timeoutMs: 20_000,
    });
    if (out.exitCode !== 0) throw new Error(`in the pod: ${out.stderr}`);
    return out.stdout.toString();
  }
  const PLANT = String.raw`const fs = require("fs"), H = process.argv[1], D = H + "/generated_images/" + process.argv[2];
fs.mkdirSync(D, { recursive: true });
fs.linkSync(H + "/auth.json", D + "/ig_link.png");
fs.copyFileSync(H + "/auth.json", D + "/ig_text.png");
for (const f of ["ig_kept.png", "ig_removed.png", "ig_relinked.png"]) fs.copyFileSync(H + "/generated_images/" + process.argv[3], D + "/" + f);
process.stdout.write(fs.readFileSync(H + "/auth.json").toString("base64"));`;
  const SWAP = String.raw`const fs = require("fs"), H = process.argv[1], D = H + "/generated_images/" + process.argv[2];
fs.unlinkSync(D + "/ig_removed.png");
fs.unlinkSync(D + "/ig_relinked.png");
fs.linkSync(H + "/auth.json", D + "/ig_relinked.png");`;
  const CLEAN = String.raw`require("fs").rmSync(process.argv[1] + "/generated_images/" + process.argv[2], { recursive: true, force: true });`;

  const serve = async (ref: AgentRef, kind: 'thumbnail' | 'file', url: string) => {
    const res = await serveImage(ref, kind, new URL(url, 'http://dashboard.test'));
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };
  const urlOf = (ref: AgentRef, kind: 'thumbnail' | 'file', path: string) =>
    `/api/images/${encodeURIComponent(ref.clusterId)}/${ref.namespace}/${ref.name}/${kind}?path=${encodeURIComponent(path)}`;

  let ref: AgentRef;
  let auth: Buffer;
  beforeAll(async () => {
    restartDashboard();
    process.env.IMAGE_CACHE_DIR = path.join(scratch, 'cache-claims');
    resetImageSettings();
    ref = refOf(loggedIn());
    const source = (await readInventory(ref)).images[0].name;
    auth = Buffer.from(await inPod(ref, PLANT, SESSION, source), 'base64');
    expect(auth.length).toBeGreaterThan(20);
  });
  afterAll(async () => {
    if (ref) await inPod(ref, CLEAN, SESSION);
  });

  it('a hard link to auth.json and a non-image named .png are neither listed, nor served by the thumbnail or file route', async () => {
    const inv = await readInventory(ref, { maxAgeMs: 0 });
    expect(inv.images.map((i) => i.name)).not.toContain(name('ig_link.png'));
    expect(inv.images.map((i) => i.name)).not.toContain(name('ig_text.png'));
    expect(inv.strays).toEqual(
      expect.arrayContaining([
        { name: name('ig_link.png'), why: 'hard-link' },
        { name: name('ig_text.png'), why: 'not-image-bytes' },
      ]),
    );
    const page = await listGallery({ agents: [{ ref, error: null }], filters: { session: SESSION }, page: 1, warm: false });
    expect(page.items.map((i) => i.file).sort()).toEqual(['ig_kept.png', 'ig_relinked.png', 'ig_removed.png']);
    for (const file of ['ig_link.png', 'ig_text.png']) {
      for (const kind of ['thumbnail', 'file'] as const) {
        const res = await serve(ref, kind, urlOf(ref, kind, name(file)));
        expect(res.status, `${kind} ${file}`).toBe(404);
        expect(res.body.includes(auth), `${kind} ${file}`).toBe(false);
      }
      // Asked for by name, past the listing, the pod itself refuses to send them.
      const entry = { name: name(file), session: SESSION, file, size: auth.length, mtimeMs: 0, ino: 0, width: null, height: null };
      await expect(openOriginal(ref, entry)).rejects.toThrow(/^refused: (the file has more than one link|its first bytes are not a PNG)/);
    }
  });

  it('a served image whose file is removed, or replaced by a hard link, is no longer served from the cache once the listing is refreshed', async () => {
    const page = await listGallery({ agents: [{ ref, error: null }], filters: { session: SESSION }, page: 1, warm: false });
    const items = new Map(page.items.map((i) => [i.file, i]));
    for (const item of items.values()) {
      const thumb = await serve(ref, 'thumbnail', item.thumbUrl);
      expect(thumb.status).toBe(200);
      expect(thumb.type).toBe('image/webp');
      const full = await serve(ref, 'file', item.fullUrl);
      expect(full.status).toBe(200);
      expect(full.body.subarray(1, 4).toString()).toBe('PNG');
    }
    // The originals went to the cache as they streamed: wait until they are there.
    await expect
      .poll(
        async () => (await Promise.all(page.items.map((i) => inventoryEntry(i.name).then((e) => cachedOriginal(ref, e))))).every(Boolean),
        { timeout: 10_000 },
      )
      .toBe(true);
    const cached = execs();
    for (const item of items.values()) expect((await serve(ref, 'file', item.fullUrl)).status).toBe(200);
    expect(execs() - cached).toBe(0);

    await inPod(ref, SWAP, SESSION);
    await readInventory(ref, { maxAgeMs: 0 });
    for (const file of ['ig_removed.png', 'ig_relinked.png']) {
      const item = items.get(file)!;
      for (const [kind, url] of [
        ['thumbnail', item.thumbUrl],
        ['file', item.fullUrl],
        ['file', urlOf(ref, 'file', item.name)],
      ] as const) {
        const res = await serve(ref, kind, url);
        expect(res.status, `${kind} ${file}`).toBe(404);
        expect(res.body.includes(auth), `${kind} ${file}`).toBe(false);
      }
    }
    // The image that stayed as it was is still served from the cache.
    const kept = execs();
    expect((await serve(ref, 'file', items.get('ig_kept.png')!.fullUrl)).status).toBe(200);
    expect((await serve(ref, 'thumbnail', items.get('ig_kept.png')!.thumbUrl)).status).toBe(200);
    expect(execs() - kept).toBe(0);
  });

  async function inventoryEntry(image: string): Promise<ImageEntry> {
    return (await readInventory(ref)).images.find((e) => e.name === image)!;
  }
});
