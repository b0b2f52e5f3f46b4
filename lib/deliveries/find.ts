// From an agent's sessions and images: every image whose upload to Discord failed, and
// every image never sent to its thread. Pure: the caller brings what the pod holds.
import { imageDeliveries, type DiscordUpload } from '../codex/discord-uploads';
import type { Rollout } from '../codex/rollout';
import type { DeliveryMark } from './marks';

export interface SessionFacts {
  id: string;
  rollout: Rollout;
  target: string | null;
  channelId: string | null;
  threadId: string | null;
}

export interface ImageFacts {
  name: string;
  session: string;
  file: string;
  size: number;
  mtimeMs: number;
}

export interface FailedDelivery {
  image: string;
  session: string;
  file: string;
  size: number;
  mtimeMs: number;
  kind: 'failed' | 'never-sent';
  /** Where it belongs: the session's thread, else its channel (null when unknown). */
  target: string | null;
  channelId: string | null;
  threadId: string | null;
  /** Where the failed attempt went, when it named an id. */
  attemptedTarget: string | null;
  /** When the attempt ran, else when the image was made. */
  at: string;
  /** Plain words: why it failed, or that it was never sent. */
  error: string;
  attempts: number;
  httpStatus: number | null;
  discordCode: number | null;
  exitCode: number | null;
  /** Set once the dashboard re-delivered it. */
  redelivered: DeliveryMark | null;
}

function reasonOf(upload: DiscordUpload | undefined): string {
  if (!upload) return 'The agent never sent this image to Discord.';
  return upload.reason ?? 'The upload did not return a Discord message.';
}

export function findFailedDeliveries(images: ImageFacts[], sessions: Map<string, SessionFacts>, marks: DeliveryMark[]): FailedDelivery[] {
  const bySession = new Map<string, ImageFacts[]>();
  for (const image of images) bySession.set(image.session, [...(bySession.get(image.session) ?? []), image]);
  const out: FailedDelivery[] = [];
  for (const [sessionId, files] of bySession) {
    const session = sessions.get(sessionId);
    const deliveries = session
      ? imageDeliveries(
          session.rollout,
          files.map((f) => f.file),
        )
      : files.map((f) => ({ fileName: f.file, status: 'never-sent' as const }));
    for (const d of deliveries) {
      if (d.status === 'delivered') continue;
      const image = files.find((f) => f.file === d.fileName)!;
      const upload = 'upload' in d ? d.upload : undefined;
      const attempts = session ? countAttempts(session.rollout, image) : 0;
      out.push({
        image: image.name,
        session: sessionId,
        file: image.file,
        size: image.size,
        mtimeMs: image.mtimeMs,
        kind: d.status,
        target: ('expectedTarget' in d ? d.expectedTarget : undefined) ?? session?.target ?? null,
        channelId: upload?.sender?.channelId ?? session?.channelId ?? null,
        threadId: upload?.sender?.threadId ?? session?.threadId ?? null,
        attemptedTarget: upload?.target ?? null,
        at: upload?.at ?? new Date(image.mtimeMs).toISOString(),
        error: reasonOf(upload),
        attempts,
        httpStatus: upload?.httpStatus ?? null,
        discordCode: upload?.discordCode ?? null,
        exitCode: upload?.exitCode ?? null,
        redelivered: marks.find((m) => m.image === image.name) ?? null,
      });
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at) || a.image.localeCompare(b.image));
}

function countAttempts(rollout: Rollout, image: ImageFacts): number {
  const suffix = `/generated_images/${image.session}/${image.file}`;
  return rollout.toolCalls.filter((c) => c.command.includes(suffix) && /\/channels\//.test(c.command)).length;
}
