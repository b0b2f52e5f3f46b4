#!/bin/sh
# What the readiness check reads in an agent's pod: which upload token variables the container
# has (presence only: no value is ever printed), OpenAB's own config.toml as mounted at
# /etc/openab (OPENAB_CONFIG_PATH), and every SKILL.md under Codex's skills folder (symlinks are
# not followed). Takes no argument but the nonce.
# Frames: `home`, `env` (body: the variable names set), `openab` (body: the file or `missing`),
# per skill `skill file|symlink|unreadable <path>` and `sidecar - <path>`, then `end`.
. ./_frames.sh
. ./_home.sh
m home; printf '%s' "$H"
m env
[ -n "${DISCORD_FILE_BOT_TOKEN:-}" ] && printf 'DISCORD_FILE_BOT_TOKEN\n'
[ -n "${DISCORD_BOT_TOKEN:-}" ] && printf 'DISCORD_BOT_TOKEN\n'
m openab
if [ -f /etc/openab/config.toml ] && [ -r /etc/openab/config.toml ]; then head -c 65536 /etc/openab/config.toml; else printf 'missing'; fi
for f in "$H"/skills/*/SKILL.md "$H"/skills/.system/*/SKILL.md; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  rel=${f#"$H/skills/"}
  d=${f%/SKILL.md}
  if [ -L "$f" ] || [ -L "$d" ]; then m skill symlink "$rel"; continue; fi
  if [ ! -r "$f" ]; then m skill unreadable "$rel"; continue; fi
  m skill file "$rel"; head -c 16384 "$f"
  [ -f "$d/.openab-dashboard.json" ] && { m sidecar - "$rel"; head -c 4096 "$d/.openab-dashboard.json"; }
done
m end
