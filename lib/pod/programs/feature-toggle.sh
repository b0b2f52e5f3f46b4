#!/bin/sh
# `codex features enable|disable NAME` under the same lock as the config.toml edits.
# $1 = enable|disable, $2 = a feature name already checked against Codex's own list.
# Frames: `codex` with what Codex printed as body (the exit status is Codex's), or `E <code>`.
. ./_frames.sh
. ./_home.sh
. ./_files.sh
. ./_config.sh
case "$1" in enable|disable) ;; *) fail verb 2;; esac
lock
m codex
codex features "$1" "$2"
