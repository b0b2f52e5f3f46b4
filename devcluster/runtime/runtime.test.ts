import { existsSync, promises as fs, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { bwrapUnavailableReason, createPodRuntime } from './index';
import { createRootlessRuntime, rootlessUnavailableReason } from './rootless';
import { builtPodImage, IMAGE_NODE_VERSION, IMAGE_PACKAGES } from './pod-image';
import type { PodHandle, PodRuntime } from './types';

async function run(pod: PodHandle, argv: string[], stdin?: string) {
  const proc = pod.exec(argv, { stdin: stdin !== undefined });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  if (stdin !== undefined) proc.stdin!.end(stdin);
  const result = await proc.done;
  return { ...result, stdout, stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heartbeatStops(file: string): Promise<boolean> {
  const before = await fs.readFile(file, 'utf8').catch(() => '');
  await sleep(600);
  const after = await fs.readFile(file, 'utf8').catch(() => '');
  return before === after;
}

const unavailable = bwrapUnavailableReason();

describe.skipIf(unavailable !== null)('bubblewrap pods', () => {
  let dir: string;
  let hostTmpMarker: string;
  let runtime: PodRuntime;
  let podA: PodHandle;
  let podB: PodHandle;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'runtime-test-'));
    hostTmpMarker = path.join(tmpdir(), `host-only-${process.pid}`);
    await fs.writeFile(hostTmpMarker, 'host');
    for (const name of ['vol-a', 'vol-b']) await fs.mkdir(path.join(dir, name));
    await fs.writeFile(path.join(dir, 'vol-b', 'b-secret'), 'b');
    runtime = await createPodRuntime({ tmpDir: path.join(dir, 'rt'), issuerUrl: 'http://127.0.0.1:9' });
    const spec = { namespace: 'ns', homeDir: '/home/node', containerName: 'openab', env: { GREETING: 'hi' } };
    podA = await runtime.start({ ...spec, name: 'agent-a-5d8f-x1x2x', volumeDir: path.join(dir, 'vol-a') });
    podB = await runtime.start({ ...spec, name: 'agent-b-5d8f-y1y2y', volumeDir: path.join(dir, 'vol-b') });
  });

  afterAll(async () => {
    await runtime?.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(hostTmpMarker, { force: true });
  });

  it('is isolated', () => {
    expect(runtime.isolation).toBe('namespaces');
  });

  it('runs as uid 1000 in the home dir with the pod hostname and env', async () => {
    const r = await run(podA, ['sh', '-c', 'id -u; id -g; pwd; hostname; echo "$HOME $GREETING"']);
    expect(r.stdout.split('\n')).toEqual(['1000', '1000', '/home/node', 'agent-a-5d8f-x1x2x', '/home/node hi', '']);
    expect(r.exitCode).toBe(0);
  });

  it('sees neither the other pod, nor the project, nor host homes or host /tmp', async () => {
    const paths = [
      '/work',
      path.resolve(__dirname, '../..'),
      '/root/.cache',
      '/home/node/b-secret',
      path.join(dir, 'vol-b'),
      hostTmpMarker,
      '/usr/local/bin/issues',
    ];
    for (const p of paths) {
      const r = await run(podA, ['test', '-e', p]);
      expect({ p, exitCode: r.exitCode }).toEqual({ p, exitCode: 1 });
    }
    expect((await run(podA, ['ls', '/home'])).stdout).toBe('node\n');
    expect((await run(podB, ['cat', '/home/node/b-secret'])).stdout).toBe('b');
  });

  it("has the image's node and the real codex on PATH", async () => {
    expect((await run(podA, ['node', '-e', 'console.log(process.version)'])).stdout.trim()).toBe(`v${IMAGE_NODE_VERSION}`);
    const codex = await run(podA, ['codex', '--version']);
    expect(codex.stdout).toContain('codex-cli 0.169.0');
    expect((await run(podA, ['sh', '-c', 'command -v codex'])).stdout).toBe('/usr/local/bin/codex\n');
    // Linked as `npm install -g` links it, so whatever reads the install (the probe reads its
    // package.json for the version) sees what it sees in the image.
    expect((await run(podA, ['readlink', '/usr/local/bin/codex'])).stdout).toBe('../lib/node_modules/@openai/codex/bin/codex.js\n');
    expect(
      (await run(podA, ['sh', '-c', 'grep -c \'"version": "0.169.0"\' /usr/local/lib/node_modules/@openai/codex/package.json'])).stdout,
    ).toBe('1\n');
  });

  it("runs on the pods' image, not the host: the packages of Dockerfile.codex and nothing the image lacks", async () => {
    expect(runtime.onImage).toBe(true);
    const root = builtPodImage()!;
    // What dpkg says is installed in the pod is what the image's build installed: Debian's
    // minbase (its Essential and Priority: required packages, with what they depend on) plus
    // exactly Dockerfile.codex's list, with theirs.
    const inPod = (await run(podA, ['dpkg-query', '-W', '-f', '${Package}\\n'])).stdout.trim().split('\n').sort();
    const inImage = spawnSync('dpkg-query', ['--admindir', path.join(root, 'var/lib/dpkg'), '-W', '-f', '${Package}\\n'], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n')
      .sort();
    expect(inPod).toEqual(inImage);
    for (const pkg of IMAGE_PACKAGES) expect(inPod).toContain(pkg);
    // Nothing else: every installed package is minbase's (Essential, Priority: required, and apt,
    // as mmdebstrap makes it), one of the list, or something one of those depends on.
    const fields = spawnSync(
      'dpkg-query',
      [
        '--admindir',
        path.join(root, 'var/lib/dpkg'),
        '-W',
        '-f',
        '${Package}\\t${Essential}\\t${Priority}\\t${Pre-Depends}, ${Depends}\\t${Provides}\\n',
      ],
      { encoding: 'utf8' },
    ).stdout;
    const rows = fields
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    const provider = new Map<string, string>();
    for (const [name, , , , provides] of rows)
      for (const v of [
        name,
        ...provides
          .split(',')
          .map((x) => x.trim().split(' ')[0])
          .filter(Boolean),
      ])
        provider.set(v, name);
    const needed = new Set<string>();
    const queue = [
      ...rows.filter(([, essential, priority]) => essential === 'yes' || priority === 'required').map(([name]) => name),
      'apt',
      ...IMAGE_PACKAGES,
    ];
    while (queue.length) {
      const name = queue.pop()!;
      if (needed.has(name)) continue;
      needed.add(name);
      const deps = rows.find(([n]) => n === name)?.[3] ?? '';
      for (const dep of deps
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean)) {
        const installed = dep
          .split('|')
          .map((alt) => provider.get(alt.trim().split(/[\s:(]/)[0]))
          .find(Boolean);
        if (installed) queue.push(installed);
      }
    }
    expect(inImage.filter((name) => !needed.has(name))).toEqual([]);
    // The real image has no python3, jq, file or gawk (mawk is its awk); the host has some.
    const missing = await run(podA, [
      'sh',
      '-c',
      'for t in python3 python jq file gawk chromium; do command -v "$t" >/dev/null && echo "$t"; done; true',
    ]);
    expect(missing.stdout).toBe('');
    const present = await run(podA, [
      'sh',
      '-c',
      'for t in sh tar find flock curl perl mawk awk rg tini bwrap unzip ps node codex codex-acp; do command -v "$t" >/dev/null || echo "$t"; done; true',
    ]);
    expect(present.stdout).toBe('');
    expect((await run(podA, ['sh', '-c', 'readlink -f "$(command -v awk)"'])).stdout.trim()).toBe('/usr/bin/mawk');
    // codex-acp where `npm install -g` puts it; the user node with its home.
    expect((await run(podA, ['sh', '-c', 'readlink /usr/local/bin/codex-acp; grep "^node:" /etc/passwd'])).stdout).toBe(
      '../lib/node_modules/@zed-industries/codex-acp/bin/codex-acp.js\nnode:x:1000:1000::/home/node:/bin/sh\n',
    );
    // Not one file of the host's /usr: a marker of the host's own node is not there.
    expect((await run(podA, ['test', '-e', process.execPath])).exitCode).toBe(process.execPath.startsWith('/usr/local/bin/') ? 0 : 1);
    expect((await run(podA, ['sh', '-c', 'cat /etc/debian_version'])).stdout.trim()).toMatch(/^12\./);
  });

  it('runs the Codex version its image names', async () => {
    const old = await runtime.start({
      namespace: 'ns',
      name: 'agent-old-5d8f-z1z2z',
      homeDir: '/home/node',
      containerName: 'openab',
      env: {},
      volumeDir: path.join(dir, 'vol-old'),
      image: 'ghcr.io/openabdev/openab-codex:0.8.3-codex-0.121.0',
    });
    try {
      expect((await run(old, ['codex', '--version'])).stdout).toContain('codex-cli 0.121.0');
    } finally {
      await old.stop();
    }
  });

  it('allows writes only under the home dir and /tmp', async () => {
    for (const p of ['/usr/x', '/etc/x', '/x', '/usr/local/lib/node_modules/@openai/x', '/usr/local/bin/x', '/home/x']) {
      const r = await run(podA, ['touch', p]);
      expect({ p, exitCode: r.exitCode }).toEqual({ p, exitCode: 1 });
    }
    expect((await run(podA, ['sh', '-c', 'echo a > /home/node/ok && echo b > /tmp/ok && cat /tmp/ok'])).stdout).toBe('b\n');
    const written = path.join(dir, 'vol-a', 'ok');
    expect(await fs.readFile(written, 'utf8')).toBe('a\n');
    expect(statSync(written).uid).toBe(1000);
    // /tmp is private to the pod.
    expect((await run(podB, ['test', '-e', '/tmp/ok'])).exitCode).toBe(1);
  });

  it('tells a missing or non-executable command from a command exiting 127', async () => {
    expect(await run(podA, ['no-such-command'])).toMatchObject({ startError: 'not-found' });
    expect(await run(podA, ['/home/node/nope'])).toMatchObject({ startError: 'not-found' });
    await run(podA, ['sh', '-c', 'echo x > /home/node/plain.txt']);
    expect(await run(podA, ['/home/node/plain.txt'])).toMatchObject({ startError: 'not-executable' });
    const r = await run(podA, ['sh', '-c', 'exit 127']);
    expect(r.exitCode).toBe(127);
    expect(r.startError).toBeUndefined();
    // argv is passed as is, never through a shell.
    expect((await run(podA, ['echo', '$(id)', ';', '*'])).stdout).toBe('$(id) ; *\n');
  });

  it('passes stdin through', async () => {
    expect((await run(podA, ['cat'], 'piped')).stdout).toBe('piped');
  });

  it('keeps a background process across execs and kills it on stop', async () => {
    const volume = path.join(dir, 'vol-c');
    await fs.mkdir(volume);
    const pod = await runtime.start({
      namespace: 'ns',
      name: 'agent-c',
      volumeDir: volume,
      homeDir: '/home/node',
      containerName: 'openab',
      env: {},
    });
    const started = await run(pod, [
      'sh',
      '-c',
      'nohup sh -c "while :; do date +%s%N > /home/node/beat; sleep 0.1; done" >/dev/null 2>&1 & echo $!',
    ]);
    const pid = started.stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    await run(pod, ['sh', '-c', 'setsid -f sh -c "while :; do date +%s%N > /home/node/beat2; sleep 0.1; done" >/dev/null 2>&1']);
    await sleep(300);
    expect((await run(pod, ['kill', '-0', pid])).exitCode).toBe(0);
    expect(await heartbeatStops(path.join(volume, 'beat'))).toBe(false);
    await pod.stop();
    expect(await heartbeatStops(path.join(volume, 'beat'))).toBe(true);
    expect(await heartbeatStops(path.join(volume, 'beat2'))).toBe(true);
    expect((await run(pod, ['true'])).startError).toBeTruthy();
  });

  it('measures the per-exec overhead', async () => {
    const n = 40;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run(podA, ['true']);
    const perExec = (performance.now() - t0) / n;
    console.log(`bubblewrap exec: ${perExec.toFixed(1)} ms per exec`);
    expect(perExec).toBeLessThan(100);
  });
});

describe('plain process-group pods', () => {
  let dir: string;
  let runtime: PodRuntime;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'runtime-plain-test-'));
    runtime = await createPodRuntime({ tmpDir: path.join(dir, 'rt'), issuerUrl: 'http://127.0.0.1:9', isolated: false });
  });

  afterAll(async () => {
    await runtime?.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('says it is not isolated, runs in the volume with HOME there and codex on PATH', async () => {
    expect(runtime.isolation).toBe('none');
    const volume = path.join(dir, 'vol');
    await fs.mkdir(volume);
    const pod = await runtime.start({
      namespace: 'ns',
      name: 'p',
      volumeDir: volume,
      homeDir: '/home/node',
      containerName: 'openab',
      env: { CODEX_HOME: '/home/node/.codex' },
    });
    const r = await run(pod, ['sh', '-c', 'pwd; echo "$HOME"; echo "$CODEX_HOME"; codex --version']);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([volume, volume, `${volume}/.codex`]);
    expect(r.stdout).toContain('codex-cli 0.169.0');
    expect(await run(pod, ['no-such-command'])).toMatchObject({ startError: 'not-found' });
    await pod.stop();
  });

  it('kills background processes, even ones that left the process group, on stop', async () => {
    const volume = path.join(dir, 'vol2');
    await fs.mkdir(volume);
    const pod = await runtime.start({
      namespace: 'ns',
      name: 'p2',
      volumeDir: volume,
      homeDir: '/home/node',
      containerName: 'openab',
      env: {},
    });
    await run(pod, ['sh', '-c', 'setsid sh -c "while :; do date +%s%N > beat; sleep 0.1; done" >/dev/null 2>&1 &']);
    await sleep(300);
    expect(existsSync(path.join(volume, 'beat'))).toBe(true);
    expect(await heartbeatStops(path.join(volume, 'beat'))).toBe(false);
    await pod.stop();
    expect(await heartbeatStops(path.join(volume, 'beat'))).toBe(true);
  });
});

// What an ordinary user's demo gets (rootless.ts); root can run it too, so it is checked here on
// every machine with user namespaces, and as a real non-root user in ../non-root.test.ts.
describe.skipIf(rootlessUnavailableReason() !== null)('rootless bubblewrap pods', () => {
  let dir: string;
  let runtime: PodRuntime;
  let pod: PodHandle;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'runtime-rootless-test-'));
    for (const name of ['vol', 'other']) await fs.mkdir(path.join(dir, name));
    await fs.writeFile(path.join(dir, 'other', 'neighbour'), 'n');
    runtime = await createRootlessRuntime({ tmpDir: path.join(dir, 'rt'), issuerUrl: 'http://127.0.0.1:9', imageRoot: builtPodImage() });
    pod = await runtime.start({
      namespace: 'ns',
      name: 'agent-r-5d8f-z1z2z',
      volumeDir: path.join(dir, 'vol'),
      homeDir: '/home/node',
      containerName: 'openab',
      image: 'ghcr.io/openabdev/openab-codex:0.8.3-codex-0.121.0',
      env: {},
    });
  });

  afterAll(async () => {
    await runtime?.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("names its weaker isolation, and runs as node in its own root, home and hostname, with its image's Codex", async () => {
    expect(runtime.isolation).toBe('user-namespace');
    const r = await run(pod, ['sh', '-c', 'id -u; hostname; pwd; ls /home; codex --version; touch made-here']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 4)).toEqual(['1000', 'agent-r-5d8f-z1z2z', '/home/node', 'node']);
    expect(r.stdout).toContain('codex-cli 0.121.0');
    expect(existsSync(path.join(dir, 'vol', 'made-here'))).toBe(true);
    // The pod's process table shows no path of the machine in the sandbox's command line.
    expect((await run(pod, ['ps', '-eo', 'args'])).stdout).not.toContain(dir);
    expect((await run(pod, ['cat', '/etc/os-release'])).stdout).toMatch(runtime.onImage ? /bookworm/ : /./);
  });

  it("keeps /tmp between execs, apart from the machine's", async () => {
    await run(pod, ['sh', '-c', 'echo kept > /tmp/between-execs']);
    expect((await run(pod, ['cat', '/tmp/between-execs'])).stdout).toBe('kept\n');
    expect(existsSync(path.join(tmpdir(), 'between-execs'))).toBe(false);
  });

  it('reports a missing or non-executable command as the API server does', async () => {
    expect(await run(pod, ['no-such-command'])).toMatchObject({ startError: 'not-found' });
    expect(await run(pod, ['/etc/passwd'])).toMatchObject({ startError: 'not-executable' });
    // A command that itself exits 127 is not mistaken for a missing one.
    expect(await run(pod, ['sh', '-c', 'exit 127'])).not.toHaveProperty('startError');
  });

  it('sees its background processes from a later exec, and kills them all on stop', async () => {
    await run(pod, ['sh', '-c', 'setsid sh -c "while :; do date +%s%N > beat; sleep 0.1; done" >/dev/null 2>&1 &']);
    const beat = path.join(dir, 'vol', 'beat');
    for (let i = 0; i < 50 && !existsSync(beat); i++) await sleep(100);
    expect(await heartbeatStops(beat)).toBe(false);
    expect((await run(pod, ['sh', '-c', 'pgrep -f "while :" >/dev/null && echo seen'])).stdout).toBe('seen\n');
    await pod.stop();
    expect(await heartbeatStops(beat)).toBe(true);
  });
});
