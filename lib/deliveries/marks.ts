// What the dashboard re-delivered, kept as JSON lines on the agent's own volume (beside
// Codex's files), so every dashboard replica and every restart sees the same marks.
import { createHash } from 'node:crypto';

export interface DeliveryMark {
  /** Idempotency key: agent volume + image + target. */
  key: string;
  image: string;
  target: string;
  messageId: string;
  channelId: string;
  guildId: string | null;
  by: string;
  at: string;
}

export function deliveryKey(volume: string, image: string, target: string): string {
  return createHash('sha256').update(`${volume}\n${image}\n${target}`).digest('hex').slice(0, 40);
}

const ID = /^[0-9]{1,32}$/;

export function parseMarks(text: string): DeliveryMark[] {
  const marks: DeliveryMark[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line) as Partial<DeliveryMark>;
      if (
        typeof m.key !== 'string' ||
        typeof m.image !== 'string' ||
        typeof m.target !== 'string' ||
        typeof m.messageId !== 'string' ||
        !ID.test(m.messageId)
      )
        continue;
      marks.push({
        key: m.key,
        image: m.image,
        target: m.target,
        messageId: m.messageId,
        channelId: typeof m.channelId === 'string' ? m.channelId : m.target,
        guildId: typeof m.guildId === 'string' ? m.guildId : null,
        by: typeof m.by === 'string' ? m.by : '',
        at: typeof m.at === 'string' ? m.at : '',
      });
    } catch {
      // A line cut by a crash: skip it.
    }
  }
  return marks;
}

export function markLine(mark: DeliveryMark): string {
  return JSON.stringify(mark);
}
