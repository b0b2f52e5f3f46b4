// The text files of a Codex home as an OpenAB pod would hold them: auth.json in each
// login state, config.toml in each approval mode, and skills. Pure functions: no I/O.
import type { Rng } from './random';

export type LoginState = 'chatgpt' | 'chatgpt-expiring' | 'apikey' | 'expired' | 'none' | 'unreadable';
/**
 * 'guide-sandbox': what OpenAB's Codex guide prescribes, a `[sandbox]` table with
 * `approval_policy = "auto-review"`; Codex ignores the table, so its own default applies.
 */
export type ApprovalMode = 'manual' | 'auto-review' | 'full-access' | 'custom' | 'guide-sandbox';

const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
const ISSUER = 'https://auth.openai.com';
const DAY = 86_400_000;

export interface AuthFile {
  /** auth.json text, or undefined when the agent is not logged in (no file). */
  text?: string;
  /** Every secret value written into the file. */
  secrets: string[];
  /** What a correct reader should conclude, for tests and the demo's expectations. */
  expect: {
    mode: 'chatgpt' | 'apikey' | 'none' | 'unreadable';
    email?: string;
    plan?: string;
    accountId?: string;
    accessTokenExp?: string;
    lastRefresh?: string;
    apiKeyMasked?: string;
  };
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** An unsigned-looking JWT whose signature segment is recognisably fake and unique. */
export function fakeJwt(payload: Record<string, unknown>, signatureTag: string, rng: Rng): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', kid: 'demo-fake-key', typ: 'JWT' }));
  return `${header}.${base64url(JSON.stringify(payload))}.${base64url(`FAKE-SIGNATURE-${signatureTag}-${rng.alnum(24)}`)}`;
}

export function buildAuthFile(opts: {
  state: LoginState;
  agentTag: string;
  email: string;
  plan: string;
  nowMs: number;
  rng: Rng;
}): AuthFile {
  const { state, agentTag, email, plan, nowMs, rng } = opts;
  if (state === 'none') return { secrets: [], expect: { mode: 'none' } };
  if (state === 'apikey') {
    const key = `sk-proj-DEMOFAKE${agentTag.replace(/[^A-Za-z0-9]/g, '')}${rng.alnum(44)}`;
    const text = JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: key }, null, 2) + '\n';
    return { text, secrets: [key], expect: { mode: 'apikey', apiKeyMasked: `${key.slice(0, 8)}***${key.slice(-5)}` } };
  }
  const lastRefreshMs =
    state === 'expired' ? nowMs - 12 * DAY : state === 'chatgpt-expiring' ? nowMs - 7 * DAY + 3_600_000 : nowMs - 2 * DAY;
  const accessExpMs = state === 'expired' ? nowMs - 2 * DAY : state === 'chatgpt-expiring' ? nowMs + 20 * 3_600_000 : nowMs + 8 * DAY;
  const accountId = rng.uuid();
  const userId = `user-${rng.alnum(24)}`;
  const iat = Math.floor(lastRefreshMs / 1000);
  const authClaims = {
    chatgpt_account_id: accountId,
    chatgpt_plan_type: plan,
    chatgpt_user_id: userId,
    user_id: userId,
    chatgpt_subscription_active_start: new Date(nowMs - 90 * DAY).toISOString(),
    organizations: [{ id: `org-${rng.alnum(24)}`, is_default: true, role: 'owner', title: 'Personal' }],
  };
  const idToken = fakeJwt(
    {
      iss: ISSUER,
      aud: [CODEX_CLIENT_ID],
      sub: `auth0|${rng.alnum(24)}`,
      email,
      email_verified: true,
      iat,
      exp: iat + 3600,
      auth_time: iat,
      'https://api.openai.com/auth': authClaims,
    },
    `${agentTag}-id`,
    rng,
  );
  const accessToken = fakeJwt(
    {
      iss: ISSUER,
      aud: ['https://api.openai.com/v1'],
      client_id: CODEX_CLIENT_ID,
      sub: `auth0|${rng.alnum(24)}`,
      iat,
      nbf: iat,
      exp: Math.floor(accessExpMs / 1000),
      jti: rng.uuid(),
      scp: ['openid', 'profile', 'email', 'offline_access'],
      'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: plan, user_id: userId },
      'https://api.openai.com/profile': { email, email_verified: true },
    },
    `${agentTag}-access`,
    rng,
  );
  const refreshToken = `rt_DEMOFAKE-${agentTag}-${rng.alnum(40)}`;
  const auth = {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: {
      id_token: idToken,
      access_token: accessToken,
      refresh_token: refreshToken,
      account_id: accountId,
      oauth_provenance: { issuer: ISSUER, client_id: CODEX_CLIENT_ID },
      login_owner_id: userId,
    },
    last_refresh: new Date(lastRefreshMs).toISOString(),
  };
  const expect: AuthFile['expect'] = {
    mode: 'chatgpt',
    email,
    plan,
    accountId,
    accessTokenExp: new Date(Math.floor(accessExpMs / 1000) * 1000).toISOString(),
    lastRefresh: auth.last_refresh,
  };
  const secrets = [idToken, accessToken, refreshToken];
  if (state === 'unreadable') {
    // A hand edit gone wrong: a comment, a trailing comma and a cut-off value. It still
    // holds real-looking secrets, so a reader that shows "the raw file" leaks them.
    const text =
      '// restored from backup by hand, do not touch\n' +
      `{\n  "auth_mode": "chatgpt",\n  "OPENAI_API_KEY": null,\n  "tokens": {\n    "refresh_token": "${refreshToken}",\n` +
      `    "access_token": "${accessToken}",\n    "id_token": "${idToken.slice(0, 120)}`;
    return { text, secrets: [accessToken, refreshToken], expect: { mode: 'unreadable' } };
  }
  return { text: JSON.stringify(auth, null, 2) + '\n', secrets, expect };
}

export interface CodexConfigOptions {
  approval: ApprovalMode;
  /** The reviewer name Auto-review is written with: the agent's Codex must accept it (0.121 refuses `auto_review`). */
  autoReviewer?: 'auto_review' | 'guardian_subagent';
  /** true / false writes `[features] image_generation`; undefined leaves Codex's default. */
  imageGeneration?: boolean;
  /** Comments, other tables and an MCP server whose env holds a secret. */
  rich?: boolean;
  /** An `approval_policy` Codex rejects (from old OpenAB docs), so every codex command fails. */
  unparseable?: boolean;
  mcpSecret?: string;
}

export interface CodexConfigFile {
  text: string;
  secrets: string[];
  expect: { approvalPolicy: unknown; approvalsReviewer?: string; sandboxMode?: string; imageGeneration?: boolean };
}

export function buildCodexConfig(opts: CodexConfigOptions): CodexConfigFile {
  const lines: string[] = [];
  const secrets: string[] = [];
  const expect: CodexConfigFile['expect'] = { approvalPolicy: undefined, imageGeneration: opts.imageGeneration };
  if (opts.rich) {
    lines.push(
      '# Codex settings for the shared team agent.',
      "# Edited by hand on the volume (the chart's extraConfig never reached this file).",
      'model_reasoning_effort = "medium"',
      'hide_agent_reasoning = false',
    );
  }
  if (opts.unparseable) {
    lines.push('# from the old OpenAB README', 'approval_policy = "auto-review"', 'sandbox_mode = "workspace-write"');
    expect.approvalPolicy = 'auto-review';
    expect.sandboxMode = 'workspace-write';
  } else {
    switch (opts.approval) {
      case 'manual':
        lines.push('approval_policy = "on-request"', 'approvals_reviewer = "user"', 'sandbox_mode = "workspace-write"');
        Object.assign(expect, { approvalPolicy: 'on-request', approvalsReviewer: 'user', sandboxMode: 'workspace-write' });
        break;
      case 'auto-review': {
        const reviewer = opts.autoReviewer ?? 'auto_review';
        lines.push(
          'approval_policy = "on-request"',
          ...(opts.rich ? ['# unattended: let the reviewer decide instead of waiting for a human'] : []),
          `approvals_reviewer = "${reviewer}"`,
          'sandbox_mode = "workspace-write"',
        );
        Object.assign(expect, { approvalPolicy: 'on-request', approvalsReviewer: reviewer, sandboxMode: 'workspace-write' });
        break;
      }
      case 'guide-sandbox':
        // Only the guide's table (below, after the top-level keys): no key Codex reads is set.
        break;
      case 'full-access':
        lines.push('approval_policy = "never"', 'sandbox_mode = "danger-full-access"');
        Object.assign(expect, { approvalPolicy: 'never', sandboxMode: 'danger-full-access' });
        break;
      case 'custom':
        lines.push(
          'approval_policy = { granular = { sandbox_approval = true, rules = false, skill_approval = true, request_permissions = false, mcp_elicitations = true } }',
          'sandbox_mode = "workspace-write"',
        );
        Object.assign(expect, {
          approvalPolicy: {
            granular: { sandbox_approval: true, rules: false, skill_approval: true, request_permissions: false, mcp_elicitations: true },
          },
          sandboxMode: 'workspace-write',
        });
        break;
    }
  }
  if (opts.imageGeneration !== undefined || opts.rich) {
    lines.push('', '[features]');
    if (opts.imageGeneration !== undefined) lines.push(`image_generation = ${opts.imageGeneration}`);
    if (opts.rich) lines.push('# web search stays off until legal signs off', 'shell_snapshot = true');
  }
  if (opts.approval === 'guide-sandbox' && !opts.unparseable) {
    lines.push('', "# Auto-review, as OpenAB's Codex guide says", '[sandbox]', 'approval_policy = "auto-review"');
  }
  if (opts.rich) {
    const secret = opts.mcpSecret ?? 'ghp_DEMOFAKE0000000000000000000000000000';
    secrets.push(secret);
    lines.push(
      '',
      '[shell_environment_policy]',
      'inherit = "core"',
      '',
      '[tui]',
      'notifications = false',
      '',
      '# GitHub tools for the agent; the token is a fine-grained read-only PAT.',
      '[mcp_servers.github]',
      'command = "npx"',
      'args = ["-y", "@modelcontextprotocol/server-github"]',
      `env = { GITHUB_PERSONAL_ACCESS_TOKEN = "${secret}" }`,
      'startup_timeout_sec = 20',
      '',
      '[projects."/home/node"]',
      'trust_level = "trusted"',
    );
  }
  return { text: lines.join('\n') + '\n', secrets, expect };
}

export interface SkillFile {
  path: string;
  text: string;
  mode?: number;
}

/** A delivery skill like the one the dashboard installs, already present on some agents. */
export function deliverySkill(): SkillFile[] {
  return [
    {
      path: 'skills/discord-image-delivery/SKILL.md',
      text: [
        '---',
        'name: discord-image-delivery',
        'description: Send images you generate to the Discord thread you are talking in, using the bot token from the environment.',
        'metadata:',
        '  owner: platform-team',
        '---',
        '',
        '# Deliver generated images to Discord',
        '',
        'After generating an image, run `scripts/send-image.sh <png> "<message>"`. It posts to the',
        '`thread_id` of the latest sender_context, falling back to `channel_id`.',
        '',
      ].join('\n'),
    },
    {
      path: 'skills/discord-image-delivery/scripts/send-image.sh',
      mode: 0o755,
      text: [
        '#!/bin/sh',
        'set -eu',
        'file="$1"; message="${2:-}"; target="${DISCORD_TARGET_ID:?set DISCORD_TARGET_ID}"',
        'token="${DISCORD_FILE_BOT_TOKEN:-${DISCORD_BOT_TOKEN:?no bot token}}"',
        'curl --fail-with-body -sS -X POST "https://discord.com/api/v10/channels/$target/messages" \\',
        '  -H "Authorization: Bot $token" \\',
        '  -F "payload_json={\\"content\\":\\"$message\\"}" \\',
        '  -F "files[0]=@$file;type=image/png"',
        '',
      ].join('\n'),
    },
  ];
}

export function systemSkills(): SkillFile[] {
  return [
    {
      path: 'skills/.system/skill-creator/SKILL.md',
      text: '---\nname: skill-creator\ndescription: Guide for creating effective skills that extend Codex.\n---\n\n# Skill creator\n',
    },
    {
      path: 'skills/.system/imagegen/SKILL.md',
      text: '---\nname: imagegen\ndescription: Generate or edit images with the image_generation tool.\n---\n\n# Image generation\n',
    },
  ];
}

export function releaseNotesSkill(): SkillFile[] {
  return [
    {
      path: 'skills/release-notes/SKILL.md',
      text: '---\nname: release-notes\ndescription: Draft release notes from merged pull requests.\nlicense: MIT\n---\n\nCollect merged PRs since the last tag and group them by label.\n',
    },
  ];
}

/** A skill whose front matter lacks the required description (and has a YAML error). */
export function brokenSkill(): SkillFile[] {
  return [
    {
      path: 'skills/thumbnail-maker/SKILL.md',
      text: '---\nname: thumbnail-maker\nallowed-tools: [shell\n---\n\nMake thumbnails of generated images.\n',
    },
  ];
}
