// The delivery skill the dashboard installs in an agent's Codex home, under the name and layout
// the seed gives: a SKILL.md telling Codex to make images with its built-in imagegen skill,
// keep a stable copy under the home and post each to the Discord thread it is talking in, and
// the script that does it. OpenAB relays text only, so without this images stay on the pod.

export const DELIVERY_SKILL_DIR = 'discord-imagegen-deliver';
export const UPLOAD_SCRIPT_PATH = 'scripts/send-discord-image.sh';
/** The skill the dashboard installed before; an agent carrying it is offered the upgrade. */
export const PREVIOUS_SKILL = { dir: 'discord-image-delivery', scriptPath: 'scripts/upload.sh' } as const;
/** Where stable copies go, relative to the agent's home (/home/node): the gallery reads it too. */
export const STABLE_IMAGES_DIR = 'generated-images';
/** What the dashboard installed (hashes), so a later install can tell a hand edit from its own files. */
export const SIDECAR_PATH = '.openab-dashboard.json';
/** Bumped when the skill's text changes; older installs are updated without asking. */
export const DELIVERY_SKILL_VERSION = 2;

export const DELIVERY_SKILL_MD = `---
name: ${DELIVERY_SKILL_DIR}
description: Generate images with the built-in imagegen skill and deliver every one to the Discord thread (else channel) the request came from. OpenAB relays only text, so an image you do not upload never reaches the user.
metadata:
  installed-by: openab-dashboard
  version: "${DELIVERY_SKILL_VERSION}"
---

# Generate images and deliver them to Discord

OpenAB shows the user only your text. Images you generate are saved under
\`$CODEX_HOME/generated_images/<thread>/<call>.png\` (\`$CODEX_HOME\` defaults to
\`~/.codex\`) and stay on this machine unless you upload them.

1. Make the image with the built-in \`imagegen\` skill and its \`image_gen\` tool.
   Keep the size it produces (or the size the user asked for); do not resize,
   crop or convert the image unless the user asks you to.
2. Find the newest \`<sender_context>\` block in the conversation. Take its
   \`channel_id\` and, when present, its \`thread_id\`.
3. Run:

   \`\`\`sh
   sh "\${CODEX_HOME:-$HOME/.codex}/skills/${DELIVERY_SKILL_DIR}/${UPLOAD_SCRIPT_PATH}" <path-to-image> <channel_id> <thread_id or ""> "<short caption>"
   \`\`\`

   The script first copies the image to a stable path,
   \`/home/node/${STABLE_IMAGES_DIR}/<thread>/<file>\` (it prints where), then posts it
   to \`thread_id\`, falling back to \`channel_id\`, with the bot token from the
   environment (\`DISCORD_FILE_BOT_TOKEN\`, else \`DISCORD_BOT_TOKEN\`). It never
   prints the token.
4. Check the exit status. 0 means Discord accepted the file. Anything else
   means it did NOT arrive: tell the user plainly, quoting Discord's error
   (e.g. "Missing Permissions": the bot lacks Attach Files there; "no token":
   OpenAB does not pass the token to Codex; "over the limit": send a smaller
   image).

Never print, echo or log the token, and never paste it into a command line.
`;

export const UPLOAD_SCRIPT = `#!/bin/sh
# Keeps a stable copy of one image under the home, then posts it to a Discord thread
# (thread_id), else its channel (channel_id).
# usage: send-discord-image.sh FILE CHANNEL_ID [THREAD_ID] [MESSAGE]
# Token: DISCORD_FILE_BOT_TOKEN, else DISCORD_BOT_TOKEN (never printed, never on a command line).
# DISCORD_API_BASE overrides https://discord.com/api/v10 (tests and demos).
set -eu
fail() { code=$1; shift; printf 'send-discord-image.sh: %s\\n' "$*" >&2; exit "$code"; }
[ $# -ge 2 ] || fail 2 "usage: send-discord-image.sh FILE CHANNEL_ID [THREAD_ID] [MESSAGE]"
file=$1; channel=$2; thread=\${3:-}; message=\${4:-}
target=\${thread:-$channel}
case $target in ''|*[!0-9]*) fail 2 "the thread or channel id must be Discord's digits, got '$target'";; esac
case $file in *[\\;,\\"]*) fail 2 "the file name must not contain ; , or \\" (copy it to a plain name first)";; esac
[ -f "$file" ] && [ -r "$file" ] || fail 2 "no readable file: $file"
size=$(wc -c < "$file" | tr -d ' ')
max=\${DISCORD_MAX_FILE_BYTES:-10485760}
[ "$size" -le "$max" ] || fail 3 "$file is $size bytes, over the $max-byte upload limit: send a smaller image"
# The stable copy: generated_images/<thread>/<file> keeps its thread folder; a copy that fails
# does not stop the upload.
dir=$(basename "$(dirname "$file")"); case $dir in ''|*[!A-Za-z0-9_-]*) dir=files;; esac
stable="\${OPENAB_STABLE_IMAGE_DIR:-\${HOME:-/home/node}/${STABLE_IMAGES_DIR}}/$dir"
if mkdir -p "$stable" 2>/dev/null && cp "$file" "$stable/.$$.tmp" 2>/dev/null && mv -f "$stable/.$$.tmp" "$stable/$(basename "$file")" 2>/dev/null; then
  printf 'send-discord-image.sh: stable copy at %s\\n' "$stable/$(basename "$file")"
else
  rm -f "$stable/.$$.tmp" 2>/dev/null
  printf 'send-discord-image.sh: could not keep a stable copy in %s\\n' "$stable" >&2
fi
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
printf 'send-discord-image.sh: delivered %s to %s\\n' "$file" "$target"
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
