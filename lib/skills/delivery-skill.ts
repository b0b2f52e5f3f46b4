// The delivery skill the dashboard installs in an agent's Codex home: a SKILL.md telling Codex
// to post every image it makes to the Discord thread it is talking in, and the script that
// does it. OpenAB relays text only, so without this images stay on the pod.

export const DELIVERY_SKILL_DIR = 'discord-image-delivery';
export const UPLOAD_SCRIPT_PATH = 'scripts/upload.sh';
/** What the dashboard installed (hashes), so a later install can tell a hand edit from its own files. */
export const SIDECAR_PATH = '.openab-dashboard.json';
/** Bumped when the skill's text changes; older installs are updated without asking. */
export const DELIVERY_SKILL_VERSION = 1;

export const DELIVERY_SKILL_MD = `---
name: ${DELIVERY_SKILL_DIR}
description: Deliver every image you generate (or any file the user asks for) to the Discord thread you are talking in. OpenAB relays only text, so an image you do not upload never reaches the user.
metadata:
  installed-by: openab-dashboard
  version: "${DELIVERY_SKILL_VERSION}"
---

# Deliver generated images to Discord

OpenAB shows the user only your text. Images you generate are saved under
\`$CODEX_HOME/generated_images/<thread>/<call>.png\` (\`$CODEX_HOME\` defaults to
\`~/.codex\`) and stay on this machine unless you upload them.

After you generate an image, and before you say it is done:

1. Find the newest \`<sender_context>\` block in the conversation. Take its
   \`channel_id\` and, when present, its \`thread_id\`.
2. Run:

   \`\`\`sh
   sh "\${CODEX_HOME:-$HOME/.codex}/skills/${DELIVERY_SKILL_DIR}/scripts/upload.sh" <path-to-image> <channel_id> <thread_id or ""> "<short caption>"
   \`\`\`

   The script posts to \`thread_id\`, falling back to \`channel_id\`, with the bot
   token from the environment (\`DISCORD_FILE_BOT_TOKEN\`, else \`DISCORD_BOT_TOKEN\`).
   It never prints the token.
3. Check the exit status. 0 means Discord accepted the file. Anything else
   means it did NOT arrive: tell the user plainly, quoting Discord's error
   (e.g. "Missing Permissions": the bot lacks Attach Files there; "no token":
   OpenAB does not pass the token to Codex; "over the limit": send a smaller
   image).

Never print, echo or log the token, and never paste it into a command line.
`;

export const UPLOAD_SCRIPT = `#!/bin/sh
# Posts one file to a Discord thread (thread_id), else its channel (channel_id).
# usage: upload.sh FILE CHANNEL_ID [THREAD_ID] [MESSAGE]
# Token: DISCORD_FILE_BOT_TOKEN, else DISCORD_BOT_TOKEN (never printed, never on a command line).
# DISCORD_API_BASE overrides https://discord.com/api/v10 (tests and demos).
set -eu
fail() { code=$1; shift; printf 'upload.sh: %s\\n' "$*" >&2; exit "$code"; }
[ $# -ge 2 ] || fail 2 "usage: upload.sh FILE CHANNEL_ID [THREAD_ID] [MESSAGE]"
file=$1; channel=$2; thread=\${3:-}; message=\${4:-}
target=\${thread:-$channel}
case $target in ''|*[!0-9]*) fail 2 "the thread or channel id must be Discord's digits, got '$target'";; esac
case $file in *[\\;,\\"]*) fail 2 "the file name must not contain ; , or \\" (copy it to a plain name first)";; esac
[ -f "$file" ] && [ -r "$file" ] || fail 2 "no readable file: $file"
size=$(wc -c < "$file" | tr -d ' ')
max=\${DISCORD_MAX_FILE_BYTES:-10485760}
[ "$size" -le "$max" ] || fail 3 "$file is $size bytes, over the $max-byte upload limit: send a smaller image"
if [ -n "\${DISCORD_FILE_BOT_TOKEN:-}" ]; then token=$DISCORD_FILE_BOT_TOKEN
elif [ -n "\${DISCORD_BOT_TOKEN:-}" ]; then token=$DISCORD_BOT_TOKEN
else fail 4 "no token: neither DISCORD_FILE_BOT_TOKEN nor DISCORD_BOT_TOKEN is set (OpenAB must pass one through [agent].env or inherit_env)"
fi
api=\${DISCORD_API_BASE:-https://discord.com/api/v10}
case $api in */api/v[0-9]*) ;; *) api="\${api%/}/api/v10";; esac
case $file in
  *.png|*.PNG) type=image/png;;
  *.jpg|*.jpeg|*.JPG|*.JPEG) type=image/jpeg;;
  *.gif|*.GIF) type=image/gif;;
  *.webp|*.WEBP) type=image/webp;;
  *) type=application/octet-stream;;
esac
# The header comes from stdin (printf is a shell builtin), so the token is in no argv.
set +e
printf 'Authorization: Bot %s\\n' "$token" | curl --fail-with-body -sS --retry 3 --retry-max-time 60 \\
  --connect-timeout 10 --max-time 120 -X POST -H @- \\
  --form-string "content=$message" -F "files[0]=@$file;type=$type" \\
  "$api/channels/$target/messages"
rc=$?
set -e
echo
[ "$rc" -eq 0 ] || fail "$rc" "Discord refused the upload to $target (curl exit $rc); the file was NOT delivered"
printf 'upload.sh: delivered %s to %s\\n' "$file" "$target"
`;

export interface SkillFileSpec {
  /** Relative to the skill's folder. */
  path: string;
  text: string;
  mode: number;
}

/** The skill's files, in the order they are written (SKILL.md last: Codex sees a complete skill). */
export function deliverySkillFiles(): SkillFileSpec[] {
  return [
    { path: UPLOAD_SCRIPT_PATH, text: UPLOAD_SCRIPT, mode: 0o755 },
    { path: 'SKILL.md', text: DELIVERY_SKILL_MD, mode: 0o644 },
  ];
}
