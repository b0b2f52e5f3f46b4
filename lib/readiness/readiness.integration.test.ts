// Readiness against the dev cluster with the demo seed: each seeded agent's checklist matches
// what the seed made it (token passing, channel permissions, skills, approval, image
// generation); the delivery skill is installed for real and its script run IN the pod against
// the fake Discord; an image is copied to a stable path.
import { randomBytes, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import { canPostFiles, channelPermissions as seedChannelPermissions } from '../../devcluster/seed';
import type { SeedAgent, SeedDiscord } from '../../devcluster/seed/types';
import { getCluster } from '../k8s/clusters';
import { DASHBOARD_CONTEXT, type DevClusterControl, type TestCluster } from '../testing/devcluster';
import { readinessOf as readinessOfAgent, startReadinessFleet } from '../testing/readiness-fleet';
import { execInPod } from '../k8s/exec';
import type { FleetAgent } from '../fleet/fleet';
import { findAgentPod } from '../operations/target';
import { UserFacingError } from '../errors';
import { installDeliverySkill } from '../skills/install';
import { DELIVERY_SKILL_DIR, PREVIOUS_SKILL, UPLOAD_SCRIPT_PATH } from '../skills/delivery-skill';
import { approvalCheck, imageGenerationCheck, type ReadinessItem } from './checks';
import { fleetReadiness, resetReadinessCachesForTests, type ServerReadiness } from './service';
import { copyImageToStablePath } from './stable-image';
import { parsePodFacts } from './pod-facts';
import { invocation } from '../pod/invocation';
import { parseFrames } from '../pod/frames';

let testCluster: TestCluster;
let cluster: DevCluster;
let control: DevClusterControl;
let truth: SeedAgent[];
let discordSeed: SeedDiscord;
let fleet: FleetAgent[];
const CTX = DASHBOARD_CONTEXT;
const operator = { name: 'olivia', email: 'olivia@example.com', role: 'operator' };

const agentOf = (t: SeedAgent) => fleet.find((a) => a.workload.namespace === t.namespace && a.workload.name === t.name)!;
const refOf = (t: SeedAgent) => ({ clusterId: CTX, namespace: t.namespace, name: t.name });
const itemOf = (r: ServerReadiness, id: ReadinessItem['id']) => r.items.find((i) => i.id === id)!;

const readinessOf = (t: SeedAgent) => readinessOfAgent(fleet, t);

/** What the seed's own permission model says the bot lacks in an agent's channels. */
function seededUploadBlocked(t: SeedAgent): boolean {
  return t.allowedChannels.some((id) => {
    const channel = discordSeed.channels.find((c) => c.id === id)!;
    const perms = seedChannelPermissions({
      guildId: discordSeed.guildId,
      roles: discordSeed.roles!,
      memberRoleIds: discordSeed.botRoleIds!,
      memberId: discordSeed.botUserId!,
      overwrites: channel.permissionOverwrites ?? [],
    });
    return !canPostFiles(perms, false) || !canPostFiles(perms, true);
  });
}

async function podExec(t: SeedAgent, argv: string[], stdin?: Buffer) {
  const target = await findAgentPod(refOf(t));
  return execInPod(getCluster(CTX), { namespace: t.namespace, pod: target.pod.name, container: 'openab', argv, stdin, timeoutMs: 30_000 });
}

/** Runs the installed upload script in the agent's pod, pointed at the fake Discord. */
function runUpload(t: SeedAgent, args: string[]) {
  const script = `H="\${CODEX_HOME:-$HOME/.codex}"; exec sh "$H/skills/${DELIVERY_SKILL_DIR}/${UPLOAD_SCRIPT_PATH}" "$@"`;
  return podExec(t, ['env', `DISCORD_API_BASE=${cluster.discordUrl}`, 'sh', '-c', script, 'upload', ...args]);
}

beforeAll(async () => {
  let seed;
  ({ testCluster, seed, truth, fleet } = await startReadinessFleet('readiness', () => ({ PROBE_CACHE_MS: '600000' })));
  ({ cluster, control } = testCluster);
  discordSeed = seed.discord;
}, 120_000);

afterAll(async () => {
  await testCluster?.stop();
});

describe('readiness of the seeded fleet', () => {
  it('matches the seed: token passing, channel permissions, delivery skill, approval, image generation', async () => {
    const running = truth.filter((t) => !t.crashLooping);
    expect(running.length).toBeGreaterThanOrEqual(6);
    for (const t of running) {
      const r = await readinessOf(t);
      const probe = agentOf(t).probe;
      const label = `${t.namespace}/${t.name}`;
      expect(itemOf(r, 'upload-token').status, `${label} token (${t.tokenPassing})`).toBe(t.tokenPassing === 'none' ? 'fail' : 'pass');
      expect(itemOf(r, 'discord-permissions').status, `${label} permissions`).toBe(seededUploadBlocked(t) ? 'fail' : 'pass');
      expect(itemOf(r, 'delivery-skill').status, `${label} skill (${t.skills.join(',')})`).toBe(
        t.skills.includes(DELIVERY_SKILL_DIR) || t.skills.includes(PREVIOUS_SKILL.dir) ? 'pass' : 'fail',
      );
      expect(r.skills!.map((s) => s.dir).sort(), `${label} skills`).toEqual([...t.skills].sort());
      const approval = approvalCheck(probe?.approval, probe).status;
      expect(approval, `${label} approval ${t.approval}`).toBe(
        { 'auto-review': 'pass', 'full-access': 'pass', manual: 'fail', custom: 'unknown', 'guide-sandbox': 'fail', invalid: 'fail' }[
          t.approval
        ],
      );
      const image = imageGenerationCheck(probe).status;
      expect(image, `${label} image generation`).toBe(!t.configLoads ? 'unknown' : t.imageGeneration ? 'pass' : 'fail');
    }
  });

  it('reads the pod without printing any token value', async () => {
    const t = truth.find((a) => !a.crashLooping && a.tokenPassing !== 'none')!;
    const out = await podExec(t, invocation('pod-facts', [], { nonce: 'n0nce' }).argv);
    const text = out.stdout.toString();
    expect(text).toContain('DISCORD_BOT_TOKEN');
    expect(text).not.toContain(cluster.discordBotToken);
    expect(parsePodFacts(parseFrames(text, 'n0nce'))!.tokenVars.DISCORD_BOT_TOKEN).toBe(true);
  });

  it('names the missing permission per channel', async () => {
    const noAttach = truth.find((t) => !t.crashLooping && seededUploadBlocked(t))!;
    const r = await readinessOf(noAttach);
    const blocked = r.channels!.filter((c) => c.status === 'fail');
    expect(blocked.map((c) => c.missing)).toEqual([['Attach Files']]);
    expect(itemOf(r, 'discord-permissions').reason).toMatch(/missing Attach Files/);
    expect(r.channels!.filter((c) => c.status === 'pass').length).toBe(noAttach.allowedChannels.length - 1);
    // The private channel (role let in) and the member overwrite (member beats role) both pass.
    const privateOrOverride = truth.filter(
      (t) =>
        !t.crashLooping &&
        !seededUploadBlocked(t) &&
        discordSeed.channels.find((c) => c.id === t.allowedChannels[0])!.permissionOverwrites!.length > 0,
    );
    expect(privateOrOverride.length).toBeGreaterThanOrEqual(2);
    for (const t of privateOrOverride) expect(itemOf(await readinessOf(t), 'discord-permissions').status).toBe('pass');
  });

  it('says unknown, with the reason, for the crash-looping agent', async () => {
    const looping = truth.find((t) => t.crashLooping)!;
    const r = await readinessOf(looping);
    expect(r.items.map((i) => i.status)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('the overview costs no exec per refresh once the pod facts are cached', async () => {
    resetReadinessCachesForTests();
    const first = await fleetReadiness();
    expect(Object.keys(first.agents).length).toBe(truth.length);
    const before = await control.stats();
    const second = await fleetReadiness();
    const after = await control.stats();
    expect(after.execs - before.execs).toBe(0);
    const statuses = (f: typeof first) => Object.fromEntries(Object.entries(f.agents).map(([k, v]) => [k, v.items.map((i) => i.status)]));
    expect(statuses(second)).toEqual(statuses(first));
  });
});

describe('the delivery skill in a pod', () => {
  it('installs where there is none, turns the check green, and its script delivers an image byte for byte', async () => {
    const t = truth.find(
      (a) => !a.crashLooping && a.skills.length === 0 && a.tokenPassing !== 'none' && !seededUploadBlocked(a) && a.configLoads,
    )!;
    expect(itemOf(await readinessOf(t), 'delivery-skill').status).toBe('fail');
    const result = await installDeliverySkill(refOf(t), null, operator);
    expect(result.status).toBe('installed');
    const r = await readinessOf(t);
    expect(itemOf(r, 'delivery-skill').status).toBe('pass');
    expect(r.skills!.find((s) => s.dir === DELIVERY_SKILL_DIR)).toMatchObject({
      installedByDashboard: true,
      changedByHand: false,
      problems: [],
    });
    expect((await installDeliverySkill(refOf(t), null, operator)).status).toBe('unchanged');

    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(150_000)]);
    expect((await podExec(t, ['sh', '-c', 'cat > /tmp/delivery-test.png'], png)).exitCode).toBe(0);
    const thread = discordSeed.channels.find((c) => c.type === 'thread' && c.parentId === t.allowedChannels[0])!.id;
    const out = await runUpload(t, ['/tmp/delivery-test.png', t.allowedChannels[0], thread, 'from the pod']);
    const text = out.stdout.toString() + out.stderr;
    expect(out.exitCode, text).toBe(0);
    expect(text).not.toContain(cluster.discordBotToken);
    const sent = cluster.discord.messages().at(-1)!;
    expect(sent).toMatchObject({ channelId: thread, status: 200, content: 'from the pod' });
    expect(sent.attachments[0].sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(sent.attachments[0].data.equals(png)).toBe(true);
  });

  it("a refused upload (no Attach Files) exits non-zero with Discord's error", async () => {
    const t = truth.find((a) => !a.crashLooping && seededUploadBlocked(a))!;
    expect(['installed', 'confirm']).toContain((await installDeliverySkill(refOf(t), null, operator)).status);
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(1000)]);
    await podExec(t, ['sh', '-c', 'cat > /tmp/refused.png'], png);
    const blocked = t.allowedChannels.find((id) => discordSeed.channels.find((c) => c.id === id)!.botCanPost === false)!;
    const out = await runUpload(t, ['/tmp/refused.png', blocked]);
    const text = out.stdout.toString() + out.stderr;
    expect(out.exitCode).not.toBe(0);
    expect(text).toContain('Missing Permissions');
    expect(text).toContain('NOT delivered');
    expect(text).not.toContain(cluster.discordBotToken);
    expect(cluster.discord.messages().at(-1)).toMatchObject({ channelId: blocked, status: 403 });
  });

  it('offers an agent with the previous skill the upgrade with the difference, removes it, and shows a hand edit after', async () => {
    const t = truth.find((a) => !a.crashLooping && a.skills.includes(PREVIOUS_SKILL.dir))!;
    const first = await installDeliverySkill(refOf(t), null, operator);
    expect(first.status).toBe('confirm');
    if (first.status !== 'confirm') return;
    expect(first.message).toMatch(/previous delivery skill/);
    expect(first.diff).toContain('-description: Send images you generate');
    expect(first.diff).toContain(`+name: ${DELIVERY_SKILL_DIR}`);
    const upgraded = await installDeliverySkill(refOf(t), first.state, operator);
    expect(upgraded).toMatchObject({
      status: 'installed',
      message: expect.stringContaining(`The previous skill (skills/${PREVIOUS_SKILL.dir}) was removed.`),
    });
    const dirs = await podExec(t, ['sh', '-c', 'H="${CODEX_HOME:-$HOME/.codex}"; ls -1 "$H/skills"']);
    expect(dirs.stdout.toString().split('\n')).toContain(DELIVERY_SKILL_DIR);
    expect(dirs.stdout.toString().split('\n')).not.toContain(PREVIOUS_SKILL.dir);

    const skillMd = `H="\${CODEX_HOME:-$HOME/.codex}"; F="$H/skills/${DELIVERY_SKILL_DIR}/SKILL.md"; `;
    await podExec(t, ['sh', '-c', skillMd + 'printf "Also ping @ops.\\n" >> "$F"']);
    const edited = await installDeliverySkill(refOf(t), null, operator);
    expect(edited).toMatchObject({ status: 'confirm', message: expect.stringMatching(/changed .* by hand/) });
    if (edited.status !== 'confirm') return;
    expect(edited.diff).toContain('-Also ping @ops.');
    // Changed again after the user looked: asked again, nothing written.
    await podExec(t, ['sh', '-c', skillMd + 'printf "And again.\\n" >> "$F"']);
    const stale = await installDeliverySkill(refOf(t), edited.state, operator);
    expect(stale).toMatchObject({ status: 'confirm', message: expect.stringMatching(/changed again/) });
    const kept = await podExec(t, ['sh', '-c', skillMd + 'cat "$F"']);
    expect(kept.stdout.toString()).toContain('And again.');
    if (stale.status === 'confirm') expect((await installDeliverySkill(refOf(t), stale.state, operator)).status).toBe('installed');
    expect(itemOf(await readinessOf(t), 'delivery-skill').status).toBe('pass');
  });
});

describe('stable copies of images', () => {
  it('copies under the given name, and replaces an existing file only when confirmed', async () => {
    const t = truth.find((a) => !a.crashLooping && a.images >= 2 && a.configLoads && !a.strayFiles)!;
    const list = await podExec(t, ['sh', '-c', 'H="${CODEX_HOME:-$HOME/.codex}"; cd "$H/generated_images" && ls -1 */*.png | head -2']);
    const [a, b] = list.stdout.toString().trim().split('\n');
    const copied = await copyImageToStablePath(refOf(t), { image: a, name: 'team-logo', replaceSha: null }, operator);
    expect(copied).toMatchObject({ status: 'copied', path: `${t.homeDir}/images/team-logo.png` });
    const same = await podExec(t, [
      'sh',
      '-c',
      'H="${CODEX_HOME:-$HOME/.codex}"; cmp "$H/generated_images/$1" "$HOME/images/team-logo.png" && echo same',
      'x',
      a,
    ]);
    expect(same.stdout.toString().trim()).toBe('same');
    const exists = await copyImageToStablePath(refOf(t), { image: b, name: 'team-logo', replaceSha: null }, operator);
    expect(exists.status).toBe('exists');
    if (exists.status !== 'exists') return;
    const replaced = await copyImageToStablePath(refOf(t), { image: b, name: 'team-logo', replaceSha: exists.sha }, operator);
    expect(replaced.status).toBe('copied');
    const nowB = await podExec(t, [
      'sh',
      '-c',
      'H="${CODEX_HOME:-$HOME/.codex}"; cmp "$H/generated_images/$1" "$HOME/images/team-logo.png" && echo same',
      'x',
      b,
    ]);
    expect(nowB.stdout.toString().trim()).toBe('same');
    for (const bad of ['../x', 'a/b', '.hidden', 'logo.png', '', 'x'.repeat(65)]) {
      await expect(copyImageToStablePath(refOf(t), { image: a, name: bad, replaceSha: null }, operator)).rejects.toBeInstanceOf(
        UserFacingError,
      );
    }
    await expect(copyImageToStablePath(refOf(t), { image: '../auth.json', name: 'ok', replaceSha: null }, operator)).rejects.toBeInstanceOf(
      UserFacingError,
    );
  });
});
