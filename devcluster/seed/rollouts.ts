// Session rollouts (JSONL) in the shapes Codex 0.169 writes, for sessions driven by
// OpenAB from Discord: prompts carry sender_context, images are generated, and the
// agent tries (or forgets) to upload them with curl.
import type { Rng } from './random';

export const CODEX_VERSION = '0.169.0';

export type UploadOutcome =
  | 'ok'
  | 'missing-permissions'
  | 'too-large'
  | 'curl-dns'
  | 'curl-timeout'
  | 'curl-fail-22';

export interface Sender {
  id: string;
  name: string;
  displayName: string;
}

export interface TurnPlan {
  atMs: number;
  prompt: string;
  /** OpenAB leaves thread_id out on a thread's first turn now and then. */
  withThreadId: boolean;
  image?: { callId: string; width: number; height: number; bytes: number; revisedPrompt: string };
  /** How the upload went; undefined = the agent never tried to send the image. */
  upload?: UploadOutcome;
}

export interface SessionPlan {
  threadId: string;
  startMs: number;
  homeDir: string;
  approvalPolicy: unknown;
  sandboxMode: string;
  channelId: string;
  discordThreadId: string;
  sender: Sender;
  botUserId: string;
  turns: TurnPlan[];
}

export interface UploadRecord {
  callId: string;
  imageCallId: string;
  target: string;
  outcome: UploadOutcome;
  exitCode: number;
  discordMessageId?: string;
}

export function rolloutFileName(threadId: string, startMs: number): string {
  const stamp = new Date(startMs).toISOString().slice(0, 19).replace(/:/g, '-');
  return `rollout-${stamp}-${threadId}.jsonl`;
}

/** `sessions/YYYY/MM/DD` for a session start, in UTC as Codex names them. */
export function rolloutDir(startMs: number): string {
  const iso = new Date(startMs).toISOString();
  return `sessions/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

export function senderContextBlock(fields: Record<string, unknown>): string {
  return `<sender_context>\n${JSON.stringify(fields)}\n</sender_context>`;
}

export function buildRollout(plan: SessionPlan, rng: Rng): { text: string; uploads: UploadRecord[] } {
  const lines: string[] = [];
  const uploads: UploadRecord[] = [];
  const at = (ms: number) => new Date(ms).toISOString();
  const push = (ms: number, type: string, payload: Record<string, unknown>) =>
    lines.push(JSON.stringify({ timestamp: at(ms), type, payload }));
  const codexHome = `${plan.homeDir}/.codex`;

  push(plan.startMs, 'session_meta', {
    id: plan.threadId,
    timestamp: at(plan.startMs),
    cwd: plan.homeDir,
    originator: 'codex-acp',
    cli_version: CODEX_VERSION,
    source: 'mcp',
    model_provider: 'openai',
  });

  for (const turn of plan.turns) {
    const turnId = rng.uuid();
    let t = turn.atMs;
    const sender: Record<string, unknown> = {
      schema: 'openab.sender.v1',
      sender_id: plan.sender.id,
      sender_name: plan.sender.name,
      display_name: plan.sender.displayName,
      channel: 'discord',
      channel_id: plan.channelId,
      ...(turn.withThreadId ? { thread_id: plan.discordThreadId } : {}),
      is_bot: false,
      timestamp: at(t - 400),
      receiver_id: plan.botUserId,
    };
    const text = `${senderContextBlock(sender)}\n\n${turn.prompt}`;
    push(t, 'event_msg', { type: 'task_started', turn_id: turnId, model_context_window: 258400 });
    push(t, 'turn_context', {
      turn_id: turnId,
      cwd: plan.homeDir,
      approval_policy: plan.approvalPolicy,
      sandbox_policy: sandboxPolicy(plan.sandboxMode, plan.homeDir),
      model: 'gpt-5.5',
      effort: 'medium',
      summary: 'auto',
    });
    push(t, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
    push(t, 'event_msg', { type: 'user_message', message: text, images: [], local_images: [], text_elements: [] });

    if (!turn.image) {
      t += rng.int(2_000, 20_000);
      const reply = 'Done — see above.';
      push(t, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply }] });
      push(t, 'event_msg', { type: 'agent_message', message: reply });
      push(t, 'event_msg', { type: 'task_complete', turn_id: turnId, last_agent_message: reply });
      continue;
    }

    const image = turn.image;
    const imagePath = `${codexHome}/generated_images/${plan.threadId}/${image.callId}.png`;
    t += rng.int(15_000, 50_000);
    push(t, 'response_item', {
      type: 'image_generation_call',
      id: image.callId,
      status: 'completed',
      revised_prompt: image.revisedPrompt,
      // The base64 PNG Codex keeps here is left out: the file in generated_images holds it.
      result: '',
    });
    push(t, 'event_msg', {
      type: 'image_generation_end',
      call_id: image.callId,
      status: 'completed',
      revised_prompt: image.revisedPrompt,
      saved_path: imagePath,
    });

    if (turn.upload) {
      const target = turn.withThreadId ? plan.discordThreadId : plan.channelId;
      const callId = `call_${rng.alnum(24)}`;
      const useFail = turn.upload === 'curl-fail-22';
      const timeoutFlag = turn.upload === 'curl-timeout' ? ' --max-time 30' : '';
      const cmd =
        `curl${useFail ? ' --fail' : ''} -sS${timeoutFlag} -X POST "https://discord.com/api/v10/channels/${target}/messages" ` +
        `-H "Authorization: Bot $DISCORD_BOT_TOKEN" ` +
        `-F 'payload_json={"content":"Here is your image"}' ` +
        `-F "files[0]=@${imagePath};type=image/png"`;
      t += rng.int(1_000, 4_000);
      push(t, 'response_item', {
        type: 'function_call',
        name: 'exec_command',
        arguments: JSON.stringify({ cmd, workdir: plan.homeDir, yield_time_ms: 10000 }),
        call_id: callId,
      });
      const result = uploadResult(turn.upload, {
        target,
        fileName: `${image.callId}.png`,
        image,
        atMs: t,
        botUserId: plan.botUserId,
        rng,
      });
      const wallMs = turn.upload === 'curl-timeout' ? 30_001 : rng.int(300, 2_500);
      t += wallMs;
      push(t, 'event_msg', {
        type: 'item_completed',
        thread_id: plan.threadId,
        turn_id: turnId,
        item: {
          type: 'CommandExecution',
          id: callId,
          command: ['/bin/bash', '-lc', cmd],
          cwd: plan.homeDir,
          status: result.exitCode === 0 ? 'completed' : 'failed',
          aggregated_output: result.output,
          exit_code: result.exitCode,
          duration_ms: wallMs,
        },
      });
      push(t, 'response_item', {
        type: 'function_call_output',
        call_id: callId,
        output:
          `Chunk ID: ${rng.hex(6)}\nWall time: ${(wallMs / 1000).toFixed(4)} seconds\n` +
          `Process exited with code ${result.exitCode}\nOriginal token count: ${Math.ceil(result.output.length / 4)}\nOutput:\n${result.output}`,
      });
      uploads.push({
        callId,
        imageCallId: image.callId,
        target,
        outcome: turn.upload,
        exitCode: result.exitCode,
        discordMessageId: result.messageId,
      });
    }

    t += rng.int(1_000, 5_000);
    const reply = turn.upload
      ? 'I generated the image and posted it to the thread.'
      : `Here is the image:\n\n![generated image](${imagePath})`;
    push(t, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply }] });
    push(t, 'event_msg', { type: 'agent_message', message: reply });
    push(t, 'event_msg', { type: 'task_complete', turn_id: turnId, last_agent_message: reply });
  }
  return { text: lines.join('\n') + '\n', uploads };
}

function sandboxPolicy(mode: string, home: string): Record<string, unknown> {
  if (mode === 'danger-full-access') return { type: 'danger-full-access' };
  if (mode === 'read-only') return { type: 'read-only' };
  return { type: 'workspace-write', writable_roots: [home], network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false };
}

function uploadResult(
  outcome: UploadOutcome,
  ctx: {
    target: string;
    fileName: string;
    image: NonNullable<TurnPlan['image']>;
    atMs: number;
    botUserId: string;
    rng: Rng;
  },
): { output: string; exitCode: number; messageId?: string } {
  switch (outcome) {
    case 'ok': {
      const messageId = `1${ctx.rng.digits(17)}`;
      const attachmentId = `1${ctx.rng.digits(17)}`;
      const url = `https://cdn.discordapp.com/attachments/${ctx.target}/${attachmentId}/${ctx.fileName}`;
      const message = {
        type: 0,
        content: 'Here is your image',
        mentions: [],
        mention_roles: [],
        attachments: [
          {
            id: attachmentId,
            filename: ctx.fileName,
            size: ctx.image.bytes,
            url,
            proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
            width: ctx.image.width,
            height: ctx.image.height,
            content_type: 'image/png',
          },
        ],
        embeds: [],
        timestamp: new Date(ctx.atMs).toISOString().replace('Z', '+00:00'),
        edited_timestamp: null,
        flags: 0,
        components: [],
        id: messageId,
        channel_id: ctx.target,
        author: { id: ctx.botUserId, username: 'openab-codex', avatar: null, discriminator: '0000', public_flags: 0, flags: 0, bot: true, global_name: null },
        pinned: false,
        mention_everyone: false,
        tts: false,
      };
      return { output: JSON.stringify(message), exitCode: 0, messageId };
    }
    case 'missing-permissions':
      return { output: '{"message": "Missing Permissions", "code": 50013}', exitCode: 0 };
    case 'too-large':
      return { output: '{"message": "Request entity too large", "code": 40005}', exitCode: 0 };
    case 'curl-dns':
      return { output: 'curl: (6) Could not resolve host: discord.com\n', exitCode: 6 };
    case 'curl-timeout':
      return { output: 'curl: (28) Operation timed out after 30001 milliseconds with 0 bytes received\n', exitCode: 28 };
    case 'curl-fail-22':
      return { output: 'curl: (22) The requested URL returned error: 403\n', exitCode: 22 };
  }
}
