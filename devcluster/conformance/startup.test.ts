// Start-up figures (demo seed, 50 agents) and the CLI's life cycle.
import * as k8s from '@kubernetes/client-node';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster } from '../cluster';
import { warmSeedCache } from '../seed';
import { kubeConfig, waitFor } from './helpers';

describe('start-up', () => {
  // The seed's image pool is built once per checkout (about 10 s cold); start-up is measured warm.
  beforeAll(async () => {
    await warmSeedCache();
  }, 120_000);

  it('serves the demo seed in under 5 s', async () => {
    const t0 = Date.now();
    const cluster = await startDevCluster({ seed: 'demo', quiet: true });
    const serving = Date.now() - t0;
    try {
      const core = kubeConfig(cluster).makeApiClient(k8s.CoreV1Api);
      const pods = await core.listPodForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=openab' });
      const running = pods.items.filter((p) => p.status?.phase === 'Running').length;
      console.log(`demo seed: serving after ${serving} ms, ${running}/${pods.items.length} pods Running (isolation=${cluster.isolation})`);
      expect(serving).toBeLessThan(5000);
      expect(pods.items.length).toBeGreaterThanOrEqual(7);
      expect(running).toBe(pods.items.length);
      const ready = await waitFor('all but crash-looping pods Ready', async () => {
        const list = await core.listPodForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=openab' });
        const notReady = list.items.filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return notReady.every(
          (p) =>
            p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ||
            (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
        )
          ? Date.now() - t0
          : undefined;
      });
      console.log(`demo seed: every healthy pod Ready after ${ready} ms`);
    } finally {
      await cluster.stop();
    }
  });

  it('runs a 50-agent seed', async () => {
    const t0 = Date.now();
    const cluster = await startDevCluster({ seed: 'demo', agents: 50, quiet: true, latencyMs: 50 });
    const serving = Date.now() - t0;
    try {
      const core = kubeConfig(cluster).makeApiClient(k8s.CoreV1Api);
      const t1 = Date.now();
      const pods = await core.listPodForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=openab,app.kubernetes.io/component!=kiro' });
      const listMs = Date.now() - t1;
      const running = pods.items.filter((p) => p.status?.phase === 'Running').length;
      console.log(
        `50 agents: serving after ${serving} ms, ${running}/${pods.items.length} Codex pods Running, one list at 50 ms latency took ${listMs} ms`,
      );
      expect(pods.items.length).toBeGreaterThanOrEqual(50);
      expect(running).toBe(pods.items.length);
      expect(listMs).toBeLessThan(1000);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});

describe('CLI', () => {
  it('prints one ready line, and on SIGTERM stops pods, removes its files and exits 0', async () => {
    await warmSeedCache();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'devcluster-cli-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'devcluster/main.ts', '--port', '0', '--kubeconfig', kubeconfig, '--seed', 'demo', '--quiet'],
      {
        cwd: path.resolve(__dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await waitFor('the ready line', async () => /ready/.test(out), 30_000);
      const readyLines = out.split('\n').filter((l) => /ready/.test(l));
      expect(readyLines).toHaveLength(1);
      expect(readyLines[0]).toMatch(/https:\/\/127\.0\.0\.1:\d+/);
      const state = JSON.parse(readFileSync(path.join(dir, 'devcluster.json'), 'utf8'));
      expect(state).toMatchObject({ pid: child.pid, kubeconfig });
      expect(Object.keys(state.tokens).sort()).toEqual(['admin', 'dashboard', 'operator', 'support', 'viewer']);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      expect(
        kc
          .getContexts()
          .map((c) => c.name)
          .sort(),
      ).toEqual(['admin@devcluster', 'dashboard@devcluster', 'operator@devcluster', 'support@devcluster', 'viewer@devcluster']);
      expect(kc.getCurrentContext()).toBe('admin@devcluster');
      expect((await kc.makeApiClient(k8s.CoreV1Api).listNamespace()).items.map((n) => n.metadata!.name)).toContain('default');
      const pods = (await kc.makeApiClient(k8s.CoreV1Api).listPodForAllNamespaces()).items.map((p) => p.metadata!.name!);
      expect(pods.length).toBeGreaterThan(0);
      // Every process the CLI started (pod sandboxes included), found through parent pids.
      const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/).map(Number));
      const descendants = new Set<number>([child.pid!]);
      for (let grew = true; grew;) {
        grew = false;
        for (const [pid, ppid] of table) if (descendants.has(ppid) && !descendants.has(pid)) grew = descendants.add(pid) && true;
      }
      descendants.delete(child.pid!);
      expect(descendants.size).toBeGreaterThanOrEqual(pods.length);
      const alive = () =>
        [...descendants].filter((pid) => {
          try {
            // A zombie left for an init that does not reap is dead all the same.
            return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
          } catch {
            return false;
          }
        });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(kubeconfig)).toBe(false);
      expect(existsSync(path.join(dir, 'devcluster.json'))).toBe(false);
      expect(alive()).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops by itself, leaving nothing behind, when the script that owns it dies without stopping it', async () => {
    await warmSeedCache();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'devcluster-owner-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    // The owner: a process killed with no chance to clean up, as a demo's terminal closed under it.
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'devcluster/main.ts', '--port', '0', '--kubeconfig', kubeconfig, '--seed', 'empty'],
      {
        cwd: path.resolve(__dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DEVCLUSTER_OWNER_PID: String(owner.pid) },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitFor('the ready line', async () => /ready/.test(out), 30_000);
      owner.kill('SIGKILL');
      const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000))]);
      expect(code, out.slice(-1000)).toBe(0);
      expect(existsSync(kubeconfig)).toBe(false);
    } finally {
      owner.kill('SIGKILL');
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
