import 'server-only';
import { execInPod } from '../k8s/exec';
import { ClusterError } from '../k8s/errors';
import { parseConversation, type Conversation } from '../codex/conversation';
import { agentPod, type AgentRef } from './agent-pod';
import { CONVERSATION_NODE, ROLLOUT_PATH } from './conversation-program';
import { toGalleryItem, type GalleryItem } from './gallery';
import { readInventory } from './inventory';
import { FROM_STDIN, programOnStdin, WITH_CODEX_HOME_NICE } from './pod-scripts';
import { imageSettings } from './settings';

/** A session id as generated_images names its folders. */
export const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface SessionConversation {
  session: string;
  conversation: Conversation;
  /** The session's images, by the image call that made them (file name without extension). */
  images: Record<string, GalleryItem>;
}

/**
 * The read-only conversation of one session of an agent: its rollout read in the pod (one
 * exec, bounded), parsed and masked here. Null when the agent holds no such session.
 */
export async function readConversation(ref: AgentRef, session: string): Promise<SessionConversation | null> {
  if (!SESSION_ID.test(session)) return null;
  // The listing already knows each session's rollout; reading it also checks image access.
  const inv = await readInventory(ref);
  const info = inv.sessions.get(session);
  if (!info || !ROLLOUT_PATH.test(info.path)) return null;
  const target = await agentPod(ref);
  const { stdout, exitCode } = await execInPod(target.cluster, {
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    argv: ['sh', '-c', WITH_CODEX_HOME_NICE, 'openab-conversation', FROM_STDIN, info.path],
    stdin: programOnStdin(CONVERSATION_NODE, ''),
    timeoutMs: imageSettings().execTimeoutMs,
    maxStdoutBytes: 17 * 1024 * 1024,
  });
  if (exitCode === 3) return null;
  if (exitCode !== 0) throw new ClusterError(`The session could not be read (exit ${exitCode}).`, 'other');
  const conversation = parseConversation(stdout.toString('utf8').split('\n'));
  const images: Record<string, GalleryItem> = {};
  for (const entry of inv.images) {
    if (entry.session === session) images[entry.file.replace(/\.[A-Za-z0-9]+$/, '')] = toGalleryItem(inv, entry);
  }
  return { session, conversation, images };
}
