// `npm run bench`: loading the overview's data for 50 agents with 50 ms of latency per API
// request and per exec, against a naive baseline in the same run (per pod: read auth.json,
// read config.toml, run `codex features list`, three execs, one pod after another).
// Cold = nothing cached (the watch cache lists, every pod is probed once); warm = the same view
// again: what is known is served at once, the keeper refreshes in the background (its exec rate
// is reported apart). Then an agent page's view, the gallery, a fleet of 500 (`fleet500`),
// then `load` (20 signed-in users on a production build, scripts/bench-load.ts, with /signin
// as the page that does no cluster work). The last line is one JSON object; every figure
// carries its baseline or goal beside it.
import path from 'node:path';
import { demoAgentSelector, startDevClusterProcess, stopChild } from './stack';
import { devClusterClient } from './devcluster-client';
import { rssOf, runLoadBench } from './bench-load';
import { runSignInFloodBench } from './bench-signin-flood';
import { podImageBuildCost } from '../devcluster/runtime/pod-image';
import { preparePods } from '../devcluster/runtime/index';
import { nodeEvalArgv } from '../lib/pod/invocation';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
/** Which parts run: BENCH_PARTS=gallery measures the gallery alone (default: all of them). */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'overview,gallery,fleet500,load,signin-flood').split(',').map((p) => p.trim()));
const FLEET_AGENTS = Number(process.env.BENCH_FLEET_AGENTS ?? 500);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);

// One sampler for the whole run (each sample costs the measured code a little): the
// overall peak, and the gallery's own from when that part starts.
let peakRss = 0;
let galleryPeak = -1;
const sampler = setInterval(() => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  if (galleryPeak >= 0) galleryPeak = Math.max(galleryPeak, rss);
}, 20);

async function main() {
  const root = path.resolve(__dirname, '..');
  // The measured code runs in this process: start it as Next.js starts the dashboard's
  // server (instrumentation.ts), so it runs under the same heap settings as when deployed.
  process.env.NEXT_RUNTIME ??= 'nodejs';
  await (await import('../instrumentation')).register();
  if (!PARTS.has('overview') && !PARTS.has('gallery')) {
    // Only the parts that run their own cluster or production stack.
    const fleet500 = PARTS.has('fleet500') ? await benchFleet500(root) : undefined;
    clearInterval(sampler);
    const load = PARTS.has('load') ? await runLoadBench() : undefined;
    const signinFlood = PARTS.has('signin-flood') ? await runSignInFloodBench() : undefined;
    console.log(JSON.stringify({ overview: undefined, gallery: undefined, fleet500, load, signinFlood, podImage: podImageBuildCost() }));
    return;
  }
  // Once per machine, and not inside a timed start-up: the pods' image and the Codex versions.
  preparePods((line) => console.log(line));
  console.log(`Starting the dev cluster with ${AGENTS} agents…`);
  const { state, child } = await startDevClusterProcess({ stateDir: path.join(root, '.devcluster', 'bench'), agents: AGENTS });
  const control = devClusterClient(state);
  try {
    await pointDashboardAt(state.kubeconfig, AGENTS, { PROBE_CACHE_MS: '1' });
    const { getClusters } = await import('../lib/k8s/clusters');
    const { listAgentWorkloads, activePod } = await import('../lib/k8s/agents');
    const { execInPod } = await import('../lib/k8s/exec');
    const { getFleet } = await import('../lib/fleet/fleet');
    const cluster = getClusters()[0];

    // Wait until every agent that should run is running.
    const deadline = Date.now() + 120_000;
    let workloads = await listAgentWorkloads(cluster);
    while (Date.now() < deadline && workloads.filter((w) => activePod(w)).length < workloads.length - 1) {
      await new Promise((r) => setTimeout(r, 500));
      workloads = await listAgentWorkloads(cluster);
    }
    const running = workloads.filter((w) => activePod(w));
    console.log(`${workloads.length} Codex agents, ${running.length} running; latency ${LATENCY_MS} ms per request and per exec`);
    await control.knobs({ latencyMs: LATENCY_MS, execLatencyMs: LATENCY_MS });

    const measure = measurer(control);

    async function benchOverview() {
      const baseline = await measure('baseline', async () => {
        const ws = await listAgentWorkloads(cluster);
        for (const w of ws) {
          const pod = activePod(w);
          if (!pod) continue;
          for (const argv of [
            ['sh', '-c', 'cat "${CODEX_HOME:-$HOME/.codex}/auth.json"'],
            ['sh', '-c', 'cat "${CODEX_HOME:-$HOME/.codex}/config.toml"'],
            ['codex', 'features', 'list'],
          ]) {
            await execInPod(cluster, { namespace: w.namespace, pod: pod.name, container: 'openab', argv, timeoutMs: 60_000 }).catch(
              () => null,
            );
          }
        }
      });
      const cold = await measure('cold', async () => {
        const fleet = await getFleet();
        const failed = fleet.agents.filter((a) => a.problem && a.pod);
        if (failed.length) console.log(`  ${failed.length} probes failed: ${failed[0].problem}`);
      });
      await new Promise((r) => setTimeout(r, 5));
      const warm = await measure('warm', () => getFleet());
      const warmMedianMs = await medianMs(() => getFleet());
      // What keeping the facts fresh costs meanwhile, with nobody reading: the keeper's execs.
      const keeper = await keeperRate(control);
      const agentPage = await measureAgentPage(cluster, workloads, measure);
      return {
        agents: workloads.length,
        latencyMs: LATENCY_MS,
        baseline,
        cold: { ...cold, ratio: Number((baseline.ms / cold.ms).toFixed(1)), goal: '>= 4x', before: '2.8x (19.96 s)' },
        warm: {
          ...warm,
          medianMs: warmMedianMs,
          ratio: Number((baseline.ms / Math.max(1, warm.ms)).toFixed(1)),
          goal: '>= 40x',
          before: '24x (2.31 s, 49 execs)',
        },
        keeper,
        agentPage,
        peakRssMb: Math.round(peakRss / 1024 / 1024),
      };
    }

    const overview = PARTS.has('overview') ? await benchOverview() : undefined;
    // The overview part's agents are kept warm in the background: their probes are not the gallery's execs.
    (await import('../lib/fleet/probe')).resetProbeCacheForTests();
    const gallery = PARTS.has('gallery') ? await benchGallery({ cluster, control, workloads, measure }) : undefined;
    const result = { gallery, overview };
    if (overview) console.log(`cold ${overview.cold.ratio}x and warm ${overview.warm.ratio}x faster than the baseline (goals: 4x and 40x)`);
    if (gallery)
      console.log(
        `gallery: cold ${gallery.cold.ratio}x faster than one exec per image (target 5x), repeat ${gallery.repeat.execs} execs, peak ${gallery.peakRssMb} MB`,
      );
    // The load part runs its own stack (production build + demo cluster); this cluster goes first.
    clearInterval(sampler);
    await control.close();
    // Waited for: the cluster removes its pods' volumes (a gigabyte of gallery images) on the way out.
    await stopChild(child);
    const fleet500 = PARTS.has('fleet500') ? await benchFleet500(root, overview?.warm.medianMs) : undefined;
    const load = PARTS.has('load') ? await runLoadBench() : undefined;
    const signinFlood = PARTS.has('signin-flood') ? await runSignInFloodBench() : undefined;
    console.log(
      JSON.stringify({ overview: result.overview, gallery: result.gallery, fleet500, load, signinFlood, podImage: podImageBuildCost() }),
    );
  } finally {
    clearInterval(sampler);
    await control.close().catch(() => undefined);
    await stopChild(child);
  }
}

type Measure = (name: string, work: () => Promise<unknown>) => Promise<{ ms: number; requests: number; execs: number }>;

const VIEW_WARM_UP = 20;

/**
 * Times of repeated views, in ms. A warm view takes well under a millisecond: one sample is at the
 * mercy of a GC pause, a keeper's probe landing or the JIT, so the first views warm up and many
 * are taken.
 */
async function viewTimes(view: () => Promise<unknown>, n = 201): Promise<number[]> {
  for (let i = 0; i < VIEW_WARM_UP; i++) await view();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await view();
    times.push(performance.now() - t0);
  }
  return times;
}

/** In ms, to the microsecond: a warm view of 50 agents takes a few dozen. */
const median = (xs: number[]) => Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(3));
const medianMs = async (view: () => Promise<unknown>) => median(await viewTimes(view));

/**
 * Points the in-process dashboard at a dev cluster: its settings, clusters and probes start anew
 * (instrumentation's register() read the settings before any cluster was there).
 */
async function pointDashboardAt(kubeconfig: string, agents: number, env: Record<string, string> = {}): Promise<void> {
  Object.assign(process.env, {
    KUBECONFIG: kubeconfig,
    KUBE_CONTEXTS: 'dashboard@devcluster',
    AGENT_SELECTOR: demoAgentSelector(agents),
    ...env,
  });
  const { resetSettings } = await import('../lib/settings');
  const { resetClusters } = await import('../lib/k8s/clusters');
  const { resetProbeCacheForTests } = await import('../lib/fleet/probe');
  resetSettings();
  resetClusters();
  resetProbeCacheForTests();
}

/** Times a piece of work and counts the API requests and execs the dev cluster saw meanwhile. */
function measurer(control: ReturnType<typeof devClusterClient>): Measure {
  return async (name, work) => {
    await control.resetStats();
    const t0 = performance.now();
    await work();
    const ms = Math.round(performance.now() - t0);
    const stats = await control.stats();
    // The stats calls themselves are not part of the work.
    const figures = { ms, requests: Math.max(0, stats.requests - 1), execs: stats.execs };
    console.log(
      `${name.padEnd(9)} ${String(ms).padStart(6)} ms  ${String(figures.requests).padStart(4)} API requests  ${String(figures.execs).padStart(4)} execs`,
    );
    return figures;
  };
}

/** The keeper's background execs per second over a few refresh intervals, nobody reading. */
async function keeperRate(
  control: ReturnType<typeof devClusterClient>,
): Promise<{ execsPerSecond: number; windowMs: number; refreshMs: number; bound: number }> {
  const { getSettings } = await import('../lib/settings');
  const { probeRefreshMs, probeExecsPerSecond } = getSettings();
  const windowMs = Math.min(60_000, probeRefreshMs * 2);
  await control.resetStats();
  await new Promise((r) => setTimeout(r, windowMs));
  const { execs } = await control.stats();
  return {
    execsPerSecond: Number(((execs * 1000) / windowMs).toFixed(2)),
    windowMs,
    refreshMs: probeRefreshMs,
    bound: probeExecsPerSecond,
  };
}

/** API requests and execs per view of an agent's page (its data function), once the agent was seen. */
async function measureAgentPage(
  cluster: import('../lib/k8s/clusters').Cluster,
  workloads: import('../lib/k8s/agents').AgentWorkload[],
  measure: Measure,
) {
  const { activePod } = await import('../lib/k8s/agents');
  const { getAgentView, getAgentEvents, getAgentRollout, getAgentAccess } = await import('../lib/fleet/agent-detail');
  const w = workloads.find((x) => activePod(x))!;
  // What the page's panels read (each once per render), as an operator sees it.
  const pageReads = () =>
    Promise.all([
      getAgentView(cluster.id, w.namespace, w.name),
      getAgentEvents(cluster.id, w.namespace, w.name),
      getAgentRollout(cluster.id, w.namespace, w.name),
      getAgentAccess(cluster.id, w.namespace, w.name, 'operator'),
    ]);
  await pageReads();
  const view = await measure('agent', pageReads);
  return { ...view, before: 'a Deployment read about six times, four access reviews, one exec' };
}

/**
 * A fleet of FLEET_AGENTS (500) in its own dev cluster: its start-up and memory, the overview
 * cold and warm (warm goal: <= 3x the 50-agent warm time), API requests per warm view (goal 0),
 * the dashboard's RSS (goal < 500 MB), and how long until every agent has been probed.
 */
async function benchFleet500(root: string, warm50Ms?: number) {
  console.log(`Starting a dev cluster with ${FLEET_AGENTS} agents…`);
  const t0 = Date.now();
  const { state, child } = await startDevClusterProcess({ stateDir: path.join(root, '.devcluster', 'bench-500'), agents: FLEET_AGENTS });
  const startupMs = Date.now() - t0;
  const control = devClusterClient(state);
  const clusterRss = () => Math.round(rssOf(child.pid ?? 0) / 1024 / 1024);
  try {
    await pointDashboardAt(state.kubeconfig, FLEET_AGENTS);
    const { getClusters } = await import('../lib/k8s/clusters');
    const { getFleet } = await import('../lib/fleet/fleet');
    const { listAgentWorkloads, activePod } = await import('../lib/k8s/agents');
    const cluster = getClusters()[0];
    const deadline = Date.now() + 300_000;
    let workloads = await listAgentWorkloads(cluster);
    while (Date.now() < deadline && workloads.filter((w) => activePod(w)).length < workloads.length - 1) {
      await new Promise((r) => setTimeout(r, 1_000));
      workloads = await listAgentWorkloads(cluster);
    }
    const running = workloads.filter((w) => activePod(w)).length;
    console.log(
      `${workloads.length} agents, ${running} running (dev cluster up in ${startupMs} ms, ${clusterRss()} MB RSS over its processes)`,
    );
    const measure = measurer(control);
    // Cold without waiting for probes: the page shows at once and fills in.
    const firstView = await measure('500-first', () => getFleet({ waitForFirstProbes: false }));
    const s = Date.now();
    let probed = 0;
    while (Date.now() - s < 300_000) {
      probed = (await getFleet({ waitForFirstProbes: false })).agents.filter((a) => a.probe).length;
      if (probed >= running) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const allProbedMs = Date.now() - s;
    const warm = await measure('500-warm', () => getFleet());
    await control.resetStats();
    const views = await viewTimes(() => getFleet());
    const after = await control.stats();
    const warmMedianMs = median(views);
    const keeper = await keeperRate(control);
    const dashboardRssMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
    return {
      agents: workloads.length,
      running,
      clusterStartupMs: startupMs,
      clusterRssMb: clusterRss(),
      firstView,
      allProbedMs,
      probed,
      warm: {
        ...warm,
        medianMs: warmMedianMs,
        goal: warm50Ms ? `median <= 3x the 50-agent warm median (${warm50Ms} ms)` : '<= 3x the 50-agent warm',
        ratioTo50: warm50Ms ? Number((warmMedianMs / warm50Ms).toFixed(1)) : null,
      },
      // Exec upgrades are requests too; those here are the keeper's background probes, not the views'.
      requestsPerWarmView: {
        value: Math.max(0, after.requests - 1 - after.execs) / (VIEW_WARM_UP + views.length),
        goal: 0,
        keeperExecsMeanwhile: after.execs,
      },
      keeper,
      dashboardRssMb: { value: dashboardRssMb, goal: '< 500' },
    };
  } finally {
    await control.close().catch(() => undefined);
    await stopChild(child);
  }
}

// The gallery: one pod with GALLERY_IMAGES PNGs of about 2 MB behind GALLERY_LATENCY_MS per
// request and per exec. First page of 48 thumbnails: baseline = one `exec cat` per image and a
// thumbnail made from each, one after another; cold = the gallery page's path with every cache
// of the dashboard empty (one listing exec, and beside it the page's transfers, which pick the
// page in the pod and stream it as tar; thumbnails beside the transfer); repeat = the same page
// again (memory and disk caches warm: no exec at all). After one warm-up pair (a running
// dashboard has run its gallery code before; its figures are in `warmup`), baseline and cold
// run GALLERY_ROUNDS times, alternating; each side's median is reported (every run is in
// `rounds`). Peak RSS of this process (which runs the dashboard's code) is sampled from the
// start of the gallery part.
const GALLERY_IMAGES = Number(process.env.BENCH_GALLERY_IMAGES ?? 500);
const GALLERY_LATENCY_MS = Number(process.env.BENCH_GALLERY_LATENCY_MS ?? 25);
const GALLERY_PAGE = 48;
const GALLERY_ROUNDS = Math.max(1, Number(process.env.BENCH_GALLERY_ROUNDS ?? 5));

async function benchGallery(ctx: {
  cluster: import('../lib/k8s/clusters').Cluster;
  control: ReturnType<typeof devClusterClient>;
  workloads: import('../lib/k8s/agents').AgentWorkload[];
  measure: Measure;
}) {
  const os = await import('node:os');
  const fs = await import('node:fs');
  const { activePod } = await import('../lib/k8s/agents');
  const { execInPod } = await import('../lib/k8s/exec');
  const { makeThumbnail } = await import('../lib/images/thumbnails');
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gallery-'));
  process.env.IMAGE_CACHE_DIR = cacheDir;
  process.env.IMAGE_LIST_CACHE_MS = '600000';
  const { readInventory, resetInventoryCacheForTests } = await import('../lib/images/inventory');
  const { thumbnail, resetImageCacheForTests } = await import('../lib/images/gallery-service');
  const { forgetAgentPod } = await import('../lib/images/agent-pod');
  const { listGallery, agentKey, resetGalleryForTests } = await import('../lib/images/gallery');
  const w =
    ctx.workloads.find((x) => x.namespace === 'agents' && x.name === 'openab-codex' && activePod(x)) ??
    ctx.workloads.find((x) => activePod(x))!;
  const pod = activePod(w)!;
  const ref = { clusterId: ctx.cluster.id, namespace: w.namespace, name: w.name };

  // Ten distinct noise PNGs (noise does not compress: ~2 MB each) made in the pod with zlib,
  // so the dashboard process's memory holds none of them, then copied to GALLERY_IMAGES names
  // in one session directory, newest first. One exec.
  const setup = `const fs=require("fs"),zlib=require("zlib");const H=process.argv[1];const n=Number(process.argv[2]);
const T=new Int32Array(256);for(let i=0;i<256;i++){let c=i;for(let k=0;k<8;k++)c=c&1?0xedb88320^(c>>>1):c>>>1;T[i]=c;}
const crc=(b)=>{let c=-1;for(let i=0;i<b.length;i++)c=T[(c^b[i])&255]^(c>>>8);return (c^-1)>>>0;};
const chunk=(t,d)=>{const l=Buffer.alloc(4);l.writeUInt32BE(d.length);const td=Buffer.concat([Buffer.from(t),d]);const c=Buffer.alloc(4);c.writeUInt32BE(crc(td));return Buffer.concat([l,td,c]);};
const W=820,src=[];for(let s=0;s<10;s++){const raw=Buffer.alloc((W*3+1)*W);let x=(0x9e3779b9^(s*7919))|0;for(let k=0;k<raw.length;k++){if(k%(W*3+1)===0){raw[k]=0;continue;}x^=x<<13;x^=x>>>17;x^=x<<5;raw[k]=x&255;}
const ih=Buffer.alloc(13);ih.writeUInt32BE(W,0);ih.writeUInt32BE(W,4);ih[8]=8;ih[9]=2;
src.push(Buffer.concat([Buffer.from([137,80,78,71,13,10,26,10]),chunk("IHDR",ih),chunk("IDAT",zlib.deflateSync(raw,{level:1})),chunk("IEND",Buffer.alloc(0))]));}
const d=H+"/generated_images/01b00000-0000-7000-8000-00000000be4c";fs.mkdirSync(d,{recursive:true});const now=Date.now()/1000;
for(let i=0;i<n;i++){const f=d+"/ig_bench_"+String(i).padStart(4,"0")+".png";fs.writeFileSync(f,src[i%src.length]);fs.utimesSync(f,now-i,now-i);}
process.stdout.write(String(src.reduce((a,b)=>a+b.length,0)/src.length));`;
  const made = await execInPod(ctx.cluster, {
    namespace: w.namespace,
    pod: pod.name,
    container: 'openab',
    argv: nodeEvalArgv('bench-setup', setup, [String(GALLERY_IMAGES)]),
    timeoutMs: 300_000,
  });
  const avgMb = Number(made.stdout.toString()) / 1024 / 1024;
  console.log(
    `gallery: ${GALLERY_IMAGES} images of ~${avgMb.toFixed(1)} MB in ${w.namespace}/${w.name}; latency ${GALLERY_LATENCY_MS} ms per request and per exec`,
  );
  await ctx.control.knobs({ latencyMs: GALLERY_LATENCY_MS, execLatencyMs: GALLERY_LATENCY_MS });
  // Names of the first page, learned outside the measurements.
  const names = Array.from(
    { length: GALLERY_PAGE },
    (_, i) => `01b00000-0000-7000-8000-00000000be4c/ig_bench_${String(i).padStart(4, '0')}.png`,
  );

  galleryPeak = 0;
  try {
    const baselineRun = () =>
      ctx.measure('g-baseline', async () => {
        for (const name of names) {
          const { stdout } = await execInPod(ctx.cluster, {
            namespace: w.namespace,
            pod: pod.name,
            container: 'openab',
            argv: ['sh', '-c', 'cat "${CODEX_HOME:-$HOME/.codex}/generated_images/$1"', 'sh', name],
            timeoutMs: 60_000,
            maxStdoutBytes: 64 * 1024 * 1024,
          });
          await makeThumbnail(stdout, 320);
        }
      });
    // The gallery page's own path: list the agent (one exec, the thumbnails' transfers opened
    // beside it), then the page's thumbnails as the browser asks for them.
    let shown: { names: string[]; placeholders: number } = { names: [], placeholders: 0 };
    const firstPageThumbnails = async () => {
      const page = await listGallery({ agents: [{ ref, error: null }], filters: { agent: agentKey(ref) }, page: 1 });
      const inv = await readInventory(ref);
      const entries = page.items.map((item) => inv.images.find((e) => e.name === item.name)!);
      const served = await Promise.all(entries.map((e) => thumbnail(ref, e)));
      shown = { names: entries.map((e) => e.name), placeholders: served.filter((s) => s.placeholder).length };
    };
    // Cold: every cache of the dashboard emptied first (listing, pod lookup, thumbnails in
    // memory and on disk), as after a restart with an empty cache volume.
    const coldRun = () => {
      resetInventoryCacheForTests();
      forgetAgentPod(ref);
      resetImageCacheForTests();
      resetGalleryForTests();
      fs.rmSync(cacheDir, { recursive: true, force: true });
      return ctx.measure('g-cold', firstPageThumbnails);
    };
    // Rounds alternate baseline and cold, so a machine that speeds up or slows down (a
    // shared VM) weighs on both alike; the figures are each side's median.
    const warmup = { baselineMs: (await baselineRun()).ms, coldMs: (await coldRun()).ms };
    const baselines: Awaited<ReturnType<typeof baselineRun>>[] = [];
    const colds: Awaited<ReturnType<typeof coldRun>>[] = [];
    for (let round = 0; round < GALLERY_ROUNDS; round++) {
      baselines.push(await baselineRun());
      colds.push(await coldRun());
      if (shown.placeholders) console.log(`  ${shown.placeholders} thumbnails are placeholders`);
      if (shown.names.join() !== names.join()) console.log('  the first page is not the bench images: check mtimes');
    }
    const median = <T extends { ms: number }>(runs: T[]) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
    const baseline = median(baselines);
    const cold = median(colds);
    const repeat = await ctx.measure('g-repeat', firstPageThumbnails);
    return {
      images: GALLERY_IMAGES,
      latencyMs: GALLERY_LATENCY_MS,
      baseline: { ms: baseline.ms, execs: baseline.execs },
      cold: { ms: cold.ms, execs: cold.execs, ratio: Number((baseline.ms / cold.ms).toFixed(1)) },
      repeat: { ms: repeat.ms, execs: repeat.execs },
      rounds: { baselineMs: baselines.map((r) => r.ms), coldMs: colds.map((r) => r.ms) },
      warmup,
      peakRssMb: Math.round(Math.max(galleryPeak, process.memoryUsage.rss()) / 1024 / 1024),
    };
  } finally {
    galleryPeak = -1;
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
