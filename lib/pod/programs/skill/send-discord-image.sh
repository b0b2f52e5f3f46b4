#!/bin/sh
# Keeps a stable copy of one image under the home, then posts it to a Discord thread
# (thread_id), else its channel (channel_id).
# usage: send-discord-image.sh FILE CHANNEL_ID [THREAD_ID] [MESSAGE]
# Token: DISCORD_FILE_BOT_TOKEN, else DISCORD_BOT_TOKEN (never printed, never on a command line).
# DISCORD_API_BASE overrides https://discord.com/api/v10 (tests and demos).
set -eu
fail() { code=$1; shift; printf 'send-discord-image.sh: %s\n' "$*" >&2; exit "$code"; }
[ $# -ge 2 ] || fail 2 "usage: send-discord-image.sh FILE CHANNEL_ID [THREAD_ID] [MESSAGE]"
file=$1; channel=$2; thread=${3:-}; message=${4:-}
target=${thread:-$channel}
case $target in ''|*[!0-9]*) fail 2 "the thread or channel id must be Discord's digits, got '$target'";; esac
case $file in *[\;,\"]*) fail 2 "the file name must not contain ; , or \" (copy it to a plain name first)";; esac
{ [ -f "$file" ] && [ -r "$file" ]; } || fail 2 "no readable file: $file"
size=$(wc -c < "$file" | tr -d ' ')
max=${DISCORD_MAX_FILE_BYTES:-10485760}
[ "$size" -le "$max" ] || fail 3 "$file is $size bytes, over the $max-byte upload limit: send a smaller image"
# The stable copy: generated_images/<thread>/<file> keeps its thread folder; a copy that fails
# does not stop the upload.
dir=$(basename "$(dirname "$file")"); case $dir in ''|*[!A-Za-z0-9_-]*) dir=files;; esac
stable="${OPENAB_STABLE_IMAGE_DIR:-${HOME:-/home/node}/generated-images}/$dir"
if mkdir -p "$stable" 2>/dev/null && cp "$file" "$stable/.$$.tmp" 2>/dev/null && mv -f "$stable/.$$.tmp" "$stable/$(basename "$file")" 2>/dev/null; then
  printf 'send-discord-image.sh: stable copy at %s\n' "$stable/$(basename "$file")"
else
  rm -f "$stable/.$$.tmp" 2>/dev/null
  printf 'send-discord-image.sh: could not keep a stable copy in %s\n' "$stable" >&2
fi
if [ -n "${DISCORD_FILE_BOT_TOKEN:-}" ]; then token=$DISCORD_FILE_BOT_TOKEN
elif [ -n "${DISCORD_BOT_TOKEN:-}" ]; then token=$DISCORD_BOT_TOKEN
else fail 4 "no token: neither DISCORD_FILE_BOT_TOKEN nor DISCORD_BOT_TOKEN is set (OpenAB must pass one through [agent].env or inherit_env)"
fi
api=${DISCORD_API_BASE:-https://discord.com/api/v10}
case $api in */api/v[0-9]*) ;; *) api="${api%/}/api/v10";; esac
case $file in
  *.png|*.PNG) type=image/png;;
  *.jpg|*.jpeg|*.JPG|*.JPEG) type=image/jpeg;;
  *.gif|*.GIF) type=image/gif;;
  *.webp|*.WEBP) type=image/webp;;
  *) type=application/octet-stream;;
esac
# The header comes from stdin (printf is a shell builtin), so the token is in no argv.
set +e
printf 'Authorization: Bot %s\n' "$token" | curl --fail-with-body -sS --retry 3 --retry-max-time 60 \
  --connect-timeout 10 --max-time 120 -X POST -H @- \
  --form-string "content=$message" -F "files[0]=@$file;type=$type" \
  "$api/channels/$target/messages"
rc=$?
set -e
echo
[ "$rc" -eq 0 ] || fail "$rc" "Discord refused the upload to $target (curl exit $rc); the file was NOT delivered"
printf 'send-discord-image.sh: delivered %s to %s\n' "$file" "$target"
