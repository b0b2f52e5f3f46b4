// Session rollouts (JSONL) in the shapes Codex 0.169 writes, for sessions driven by
// OpenAB from Discord: prompts carry sender_context, images are generated, and the
// agent tries (or forgets) to upload them with curl.
import type { Rng } from './random';

export const CODEX_VERSION = '0.169.0';

export type UploadOutcome = 'ok' | 'missing-permissions' | 'too-large' | 'curl-dns' | 'curl-timeout' | 'curl-fail-22';

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
  approvalsReviewer?: string;
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

const BASE_INSTRUCTIONS =
  'You are Codex, a coding agent based on GPT-5. You and the user share one workspace, and your job is to collaborate with them until their goal is genuinely handled.';

/**
 * One session's rollout, record for record as Codex 0.169 writes them (checked against
 * the real binary in rollouts.test.ts), minus bulky records the dashboard never reads
 * (world_state, token_usage_record, full base instructions).
 */
export function buildRollout(
  plan: SessionPlan,
  rng: Rng,
  imageResult: (callId: string) => string = () => '',
): { text: string; uploads: UploadRecord[] } {
  const lines: string[] = [];
  const uploads: UploadRecord[] = [];
  let ordinal = 0;
  const at = (ms: number) => new Date(ms).toISOString();
  const push = (ms: number, type: string, payload: Record<string, unknown>) =>
    lines.push(JSON.stringify({ timestamp: at(ms), ordinal: ordinal++, type, payload }));
  const codexHome = `${plan.homeDir}/.codex`;
  const threadId = plan.threadId;
  const itemCompleted = (ms: number, turnId: string, item: Record<string, unknown>, startedMs = ms) =>
    push(ms, 'event_msg', {
      type: 'item_completed',
      thread_id: threadId,
      turn_id: turnId,
      item,
      started_at_ms: startedMs,
      completed_at_ms: ms,
    });
  let tokens = 0;
  const tokenCount = (ms: number) => {
    const last = {
      input_tokens: 2400 + rng.int(0, 900),
      cached_input_tokens: 1800,
      cache_write_input_tokens: 0,
      output_tokens: rng.int(40, 400),
      reasoning_output_tokens: 0,
      total_tokens: 0,
    };
    last.total_tokens = last.input_tokens + last.output_tokens;
    tokens += last.total_tokens;
    push(ms, 'event_msg', {
      type: 'token_count',
      info: {
        total_token_usage: { ...last, total_tokens: tokens },
        last_token_usage: last,
        last_usage_includes_reasoning: false,
        model_context_window: 258400,
      },
      rate_limits: null,
    });
  };

  push(plan.startMs, 'session_meta', {
    account_scoped: true,
    session_id: threadId,
    id: threadId,
    timestamp: at(plan.startMs),
    cwd: plan.homeDir,
    runtime_workspace_roots: [plan.homeDir],
    originator: 'codex-acp',
    cli_version: CODEX_VERSION,
    source: 'mcp',
    thread_source: 'user',
    model_provider: 'openai',
    base_instructions: { text: BASE_INSTRUCTIONS },
    history_mode: 'paginated',
  });

  for (const [turnIndex, turn] of plan.turns.entries()) {
    const turnId = rng.uuidV7(turn.atMs);
    const startedMs = turn.atMs;
    let t = turn.atMs;
    push(t, 'event_msg', {
      type: 'task_started',
      turn_id: turnId,
      root_turn_id: turnId,
      started_at: Math.floor(t / 1000),
      model_context_window: 258400,
      collaboration_mode_kind: 'default',
    });
    if (turnIndex === 0) {
      // Codex's own context comes first as a user-role message: prompts are not the
      // only user messages in a rollout.
      push(t, 'response_item', {
        type: 'message',
        id: `msg_${rng.uuidV7(t)}`,
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: `<environment_context>\n  <cwd>${plan.homeDir}</cwd>\n  <shell>bash</shell>\n  <current_date>${at(t).slice(0, 10)}</current_date>\n  <timezone>Etc/UTC</timezone>\n</environment_context>`,
          },
        ],
        internal_chat_message_metadata_passthrough: {
          turn_id: turnId,
          create_time: t / 1000,
          content_item_kinds: ['environments.environment_context'],
        },
      });
    }
    push(t, 'turn_context', {
      turn_id: turnId,
      root_turn_id: turnId,
      cwd: plan.homeDir,
      approval_policy: plan.approvalPolicy,
      approvals_reviewer: plan.approvalsReviewer ?? 'user',
      model: 'gpt-5.5',
      summary: 'auto',
      sandbox_policy: sandboxPolicy(plan.sandboxMode, plan.homeDir),
    });
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
    const userMessageId = `msg_${rng.uuidV7(t)}`;
    push(t, 'response_item', {
      type: 'message',
      id: userMessageId,
      role: 'user',
      content: [{ type: 'input_text', text }],
      internal_chat_message_metadata_passthrough: { turn_id: turnId, create_time: t / 1000, content_item_kinds: ['user.text'] },
    });
    itemCompleted(t, turnId, { type: 'UserMessage', id: rng.uuidV7(t), content: [{ type: 'text', text, text_elements: [] }] });

    if (turn.image) {
      const image = turn.image;
      const imagePath = `${codexHome}/generated_images/${threadId}/${image.callId}.png`;
      t += rng.int(15_000, 50_000);
      push(t, 'response_item', {
        type: 'image_generation_call',
        id: image.callId,
        status: 'completed',
        revised_prompt: image.revisedPrompt,
        result: imageResult(image.callId),
        internal_chat_message_metadata_passthrough: { turn_id: turnId },
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
          id: `fc_${rng.uuidV7(t)}`,
          name: 'exec_command',
          arguments: JSON.stringify({ cmd }),
          call_id: callId,
          internal_chat_message_metadata_passthrough: { turn_id: turnId },
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
        const execStart = t;
        t += wallMs;
        itemCompleted(
          t,
          turnId,
          {
            type: 'CommandExecution',
            id: callId,
            process_id: String(rng.int(200, 60_000)),
            command: ['/bin/bash', '-lc', cmd],
            cwd: `file://${plan.homeDir}`,
            parsed_cmd: [{ type: 'unknown', cmd }],
            source: 'unified_exec_startup',
            status: result.exitCode === 0 ? 'completed' : 'failed',
            aggregated_output: result.output,
            exit_code: result.exitCode,
            duration: { secs: Math.floor(wallMs / 1000), nanos: (wallMs % 1000) * 1_000_000 },
          },
          execStart,
        );
        push(t, 'response_item', {
          type: 'function_call_output',
          id: `fco_${rng.uuidV7(t)}`,
          call_id: callId,
          output:
            `Chunk ID: ${rng.hex(6)}\nWall time: ${(wallMs / 1000).toFixed(4)} seconds\n` +
            `Process exited with code ${result.exitCode}\nOriginal token count: ${Math.ceil(result.output.length / 4)}\nOutput:\n${result.output}`,
          internal_chat_message_metadata_passthrough: { turn_id: turnId, create_time: t / 1000 },
        });
        tokenCount(t);
        uploads.push({
          callId,
          imageCallId: image.callId,
          target,
          outcome: turn.upload,
          exitCode: result.exitCode,
          discordMessageId: result.messageId,
        });
      }
    }

    t += rng.int(1_000, 5_000);
    const reply = !turn.image
      ? 'Done. Let me know if you need anything else.'
      : turn.upload
        ? 'I generated the image and posted it to the thread.'
        : `Here is the image:\n\n![generated image](${codexHome}/generated_images/${threadId}/${turn.image.callId}.png)`;
    const replyId = `msg_${rng.hex(48)}`;
    itemCompleted(t, turnId, { type: 'AgentMessage', id: replyId, content: [{ type: 'Text', text: reply }] });
    push(t, 'response_item', {
      type: 'message',
      id: replyId,
      role: 'assistant',
      content: [{ type: 'output_text', text: reply }],
      internal_chat_message_metadata_passthrough: { turn_id: turnId, content_item_kinds: ['unknown'] },
    });
    tokenCount(t);
    push(t, 'event_msg', {
      type: 'task_complete',
      root_turn_id: turnId,
      turn_id: turnId,
      last_agent_message: reply,
      started_at: Math.floor(startedMs / 1000),
      completed_at: Math.floor(t / 1000),
      duration_ms: t - startedMs,
      time_to_first_token_ms: rng.int(300, 2_000),
    });
  }
  return { text: lines.join('\n') + '\n', uploads };
}

function sandboxPolicy(mode: string, home: string): Record<string, unknown> {
  if (mode === 'danger-full-access') return { type: 'danger-full-access' };
  if (mode === 'read-only') return { type: 'read-only' };
  return {
    type: 'workspace-write',
    writable_roots: [home],
    network_access: false,
    exclude_tmpdir_env_var: false,
    exclude_slash_tmp: false,
  };
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
        author: {
          id: ctx.botUserId,
          username: 'openab-codex',
          avatar: null,
          discriminator: '0000',
          public_flags: 0,
          flags: 0,
          bot: true,
          global_name: null,
        },
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
