#!/bin/sh
# The one command the dashboard runs in an agent's pod to learn everything the overview shows.
# Cost matters (a fleet of pods shares a node's CPU): it first fingerprints the files it reads
# (stat only). When the fingerprint matches the one the dashboard already has, it says just
# that and stops. Codex itself (~60 ms of CPU per start) runs only when config.toml changed
# since the pod's last probe; its answers are cached in the pod's /tmp, which dies with the
# pod, as does any stale answer about its Codex version.
# $1 = previous fingerprint ('' if none), $2 = the node program probe-facts (which also learns the
# version of an npm-installed Codex, so `codex --version` runs only for other installs).
# Frames: `fp <fingerprint>`, then `unchanged`, or `home`, `facts`, `config`,
# `features <exit>`, `version`, `end`.
. ./_frames.sh
. ./_home.sh
PREV=$1
FP=$( { echo "$H"; stat -c '%n %Y %s %i' "$H" "$H/auth.json" "$H/config.toml" "$H/generated_images" "$H"/generated_images/* "$H/sessions" "$H"/sessions/*/*/* 2>/dev/null; command -v codex; } | cksum | tr ' ' '-')
m fp "$FP"
if [ -n "$PREV" ] && [ "$FP" = "$PREV" ]; then m unchanged; exit 0; fi
C="${TMPDIR:-/tmp}/.openab-dashboard"
mkdir -p "$C" 2>/dev/null
V="$C/version"
m home; printf '%s' "$H"
m facts
node -e "$2" "$H" "$V" 2>/dev/null || printf '{"nodeMissing":true}'
m config
if [ -f "$H/config.toml" ]; then head -c 262144 "$H/config.toml"; else printf 'missing'; fi
CK=$(stat -c '%Y-%s-%i' "$H/config.toml" 2>/dev/null || echo none)
F="$C/features-$CK"
if [ -s "$F" ]; then m features 0; cat "$F"
else
  codex features list >"$F.tmp" 2>"$C/features.err"; rc=$?
  m features "$rc"
  if [ "$rc" = 0 ]; then mv "$F.tmp" "$F"; cat "$F"; else head -c 4096 "$C/features.err"; rm -f "$F.tmp"; fi
fi
[ -s "$V" ] || codex --version >"$V" 2>/dev/null
m version; head -c 200 "$V" 2>/dev/null
m end
