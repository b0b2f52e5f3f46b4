import 'server-only';
import { runPodProgram } from '../pod/run';
import { ClusterError } from '../k8s/errors';
import { logActivity } from '../audit/log-activity';
import { agentPod, volumeKey, type AgentRef, type PodTarget } from '../images/agent-pod';
import { invalidateInventory, readInventory } from '../images/inventory';
import { checkImageName, imageContentType, SNOWFLAKE_PATTERN } from '../images/paths';
import { sniffImageType } from '../images/thumbnails';
import { transferImages } from '../images/transfer';
import type { ImageEntry } from '../images/inventory-output';
import { channelGuildId, DEFAULT_MAX_FILE_BYTES, DiscordSendError, messageLink, sendDiscordFile } from '../discord/client';
import { discordApiBase } from '../discord/settings';
import { botTokenFor } from '../discord/token';
import { deliveryKey, markLine, type DeliveryMark } from './marks';
import { UserFacingError } from '../errors';
import { processState } from '../process-state';

export interface ResendRequest {
  ref: AgentRef;
  image: string;
  target: string;
  message?: string;
  user: { name: string; email: string | null; role: string };
}

export interface ResendResult {
  messageId: string;
  channelId: string;
  guildId: string | null;
  /** https://discord.com/channels/... when the guild is known. */
  link: string | null;
  /** True when this image had already been sent to this target: nothing was sent again. */
  alreadyDelivered: boolean;
  at: string;
}

/** Plain-words refusal the user can act on. */
export class ResendError extends UserFacingError {
  static override readonly brand: string = 'ResendError';
}

/** Resends under way in this process, by idempotency key: a double click shares one send. */
const running = processState('deliveries.resend.running', () => new Map<string, Promise<ResendResult>>());

export function resendImage(req: ResendRequest): Promise<ResendResult> {
  const name = checkImageName(req.image);
  if (!name.ok) return Promise.reject(new ResendError(name.error));
  const target = req.target.trim();
  if (!SNOWFLAKE_PATTERN.test(target))
    return Promise.reject(new ResendError('The target must be a Discord channel or thread id: 17 to 20 digits.'));
  const key = deliveryKey(volumeKey(req.ref), name.name, target);
  const existing = running.get(key);
  if (existing) return existing;
  const work = run({ ...req, image: name.name, target }, key).finally(() => running.delete(key));
  running.set(key, work);
  return work;
}

async function marksExec(
  target: PodTarget,
  command: 'claim' | 'mark' | 'release',
  key: string,
  line?: string,
): Promise<Record<string, unknown>> {
  const { frames, exitCode } = await runPodProgram(target, 'marks', [command, key], {
    input: line ?? '',
    timeoutMs: 20_000,
    maxStdoutBytes: 64 * 1024,
  });
  try {
    const answer = frames.find((f) => f.head.startsWith('answer '));
    return JSON.parse(answer ? answer.head.slice('answer '.length) : '');
  } catch {
    throw new ClusterError(`Could not record the delivery on the agent's volume (exit ${exitCode}).`, 'other');
  }
}

async function run(req: ResendRequest & { image: string; target: string }, key: string): Promise<ResendResult> {
  // What was sent where goes in `after`, so the history can say it in a sentence.
  const audit = (result: 'success' | 'failure', detail: string, sent?: { messageId: string }) =>
    agentPod(req.ref)
      .then((t) =>
        logActivity(t.cluster, {
          user: req.user,
          action: 'resend',
          agent: { cluster: req.ref.clusterId, namespace: req.ref.namespace, name: req.ref.name },
          after: { image: req.image, target: req.target, ...sent },
          result,
          detail,
        }),
      )
      .catch(() => undefined);
  const inv = await readInventory(req.ref);
  const entry = inv.images.find((e) => e.name === req.image);
  if (!entry) throw new ResendError(`There is no image ${req.image} on this agent's volume (it may have been deleted).`);
  if (entry.size > DEFAULT_MAX_FILE_BYTES) {
    const detail = `The image is ${(entry.size / 1024 / 1024).toFixed(1)} MiB, over Discord's 10 MiB upload limit; nothing was sent.`;
    await audit('failure', `${req.image} to ${req.target}: ${detail}`);
    throw new ResendError(detail);
  }
  const target = await agentPod(req.ref);
  const claim = await marksExec(target, 'claim', key);
  if (claim.marked) {
    const m = claim.marked as DeliveryMark;
    await audit('success', `${req.image} to ${req.target}: already delivered as message ${m.messageId}; nothing sent again`);
    return {
      messageId: m.messageId,
      channelId: m.channelId,
      guildId: m.guildId,
      link: messageLink(m.guildId, m.channelId, m.messageId),
      alreadyDelivered: true,
      at: m.at,
    };
  }
  if (claim.busy)
    throw new ResendError(
      'This image is being sent to this target right now (by another click or another dashboard). Wait a moment and reload.',
    );
  try {
    const data = await fetchWhole(target, entry);
    const type = sniffImageType(data.subarray(0, 16));
    if (!type || type !== imageContentType(entry.file)) throw new ResendError('The file is not the image its name says; it was not sent.');
    const token = await botTokenFor(target.cluster, req.ref.namespace, req.ref.name).catch((err) => {
      throw new ResendError((err as Error).message);
    });
    const apiBase = discordApiBase();
    const sent = await sendDiscordFile({
      apiBase,
      token: token.token,
      channelId: req.target,
      file: { name: entry.file, contentType: type, data },
      content: req.message?.trim() ?? '',
    });
    const guildId = await channelGuildId({ apiBase, token: token.token, channelId: sent.channelId });
    const mark: DeliveryMark = {
      key,
      image: req.image,
      target: req.target,
      messageId: sent.messageId,
      channelId: sent.channelId,
      guildId,
      by: req.user.email ?? req.user.name,
      at: new Date().toISOString(),
    };
    await marksExec(target, 'mark', key, markLine(mark));
    invalidateInventory(req.ref);
    await audit('success', `${req.image} to ${req.target}: message ${sent.messageId}`, { messageId: sent.messageId });
    return {
      messageId: sent.messageId,
      channelId: sent.channelId,
      guildId,
      link: messageLink(guildId, sent.channelId, sent.messageId),
      alreadyDelivered: false,
      at: mark.at,
    };
  } catch (err) {
    await marksExec(target, 'release', key).catch(() => undefined);
    const message =
      err instanceof DiscordSendError || err instanceof ResendError || err instanceof ClusterError
        ? err.message
        : 'The image could not be sent.';
    await audit('failure', `${req.image} to ${req.target}: ${message}`);
    if (err instanceof ResendError) throw err;
    throw new ResendError(message);
  }
}

/** The file the listing saw, whole: the pod refuses another one put under its name since. */
async function fetchWhole(target: PodTarget, file: Pick<ImageEntry, 'name' | 'size' | 'mtimeMs' | 'ino' | 'source'>): Promise<Buffer> {
  const { name, size, mtimeMs, ino, source } = file;
  let data: Buffer | null = null;
  let problem: string | null = null;
  await transferImages(target, [{ name, size, mtimeMs, ino, source }], {
    onBytes(_n, bytes) {
      data = bytes;
    },
    onError(_n, reason) {
      problem = reason;
    },
  });
  if (problem || !data) throw new ResendError(`The image could not be read from the pod: ${problem ?? 'nothing arrived'}.`);
  if ((data as Buffer).length !== size) throw new ResendError('The image changed while it was read; reload and try again.');
  return data;
}
