#!/bin/sh
# Codex's home as Codex resolves it.
# shellcheck disable=SC2034 # H is read by the programs that include this file.
H="${CODEX_HOME:-${HOME:-/home/node}/.codex}"
