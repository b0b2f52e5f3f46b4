import 'server-only';
import { ClusterError } from '../k8s/errors';
import { runPodProgram } from '../pod/run';
import { cannotRun } from '../pod/errors';
import { reachedEnd } from '../pod/frames';
import { parseConversation, type Conversation } from '../codex/conversation';
import { agentPod, type AgentRef } from './agent-pod';
import { toGalleryItem, type GalleryItem } from './gallery';
import { readInventory } from './inventory';
import { imageSettings } from './settings';

/** A session id as generated_images names its folders. */
export const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** A rollout's path under sessions/, as the listing names it (lib/pod/programs/node/conversation.js checks it again). */
export const ROLLOUT_PATH = /^\d{4}\/\d{2}\/\d{2}\/rollout-[A-Za-z0-9_.:-]{1,200}\.jsonl$/;

export interface SessionConversation {
  session: string;
  conversation: Conversation;
  /** The session's images, by the image call that made them (file name without extension). */
  images: Record<string, GalleryItem>;
}

/**
 * The read-only conversation of one session of an agent: its rollout read in the pod (one
 * exec, bounded: conversation.js sends at most 16 MB), parsed and masked here. Null when the
 * agent holds no such session.
 */
export async function readConversation(ref: AgentRef, session: string): Promise<SessionConversation | null> {
  if (!SESSION_ID.test(session)) return null;
  // The listing already knows each session's rollout; reading it also checks image access.
  const inv = await readInventory(ref);
  const info = inv.sessions.get(session);
  if (!info || !ROLLOUT_PATH.test(info.path)) return null;
  const target = await agentPod(ref);
  const out = await runPodProgram(target, 'conversation', [info.path], {
    nice: true,
    timeoutMs: imageSettings().execTimeoutMs,
    maxStdoutBytes: 17 * 1024 * 1024,
  });
  if (out.frames.some((f) => f.head === 'gone')) return null;
  const rollout = out.frames.find((f) => f.head === 'rollout');
  if (!rollout || !reachedEnd(out.frames)) {
    throw new ClusterError(
      cannotRun(out, 'node')
        ? 'node is not installed in the agent container, so the session cannot be read.'
        : `The session could not be read (exit ${out.exitCode}).`,
      'other',
    );
  }
  const conversation = parseConversation(rollout.body.toString('utf8').split('\n'));
  const images: Record<string, GalleryItem> = {};
  for (const entry of inv.images) {
    if (entry.session === session) images[entry.file.replace(/\.[A-Za-z0-9]+$/, '')] = toGalleryItem(inv, entry);
  }
  return { session, conversation, images };
}
