// The delivery skill the dashboard installs in an agent's Codex home, under the name and layout
// the seed gives: a SKILL.md telling Codex to make images with its built-in imagegen skill,
// keep a stable copy under the home and post each to the Discord thread it is talking in, and
// the script that does it. OpenAB relays text only, so without this images stay on the pod.
// The script is a real file, lib/pod/programs/skill/send-discord-image.sh (checked by
// shellcheck), sent as install-plan.ts's UPLOAD_SCRIPT; this module stays small for the browser.

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
