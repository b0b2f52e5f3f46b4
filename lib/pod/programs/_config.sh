#!/bin/sh
# Codex's config.toml, and the lock that serialises the dashboard's edits of it.
# shellcheck disable=SC2034 # F is read by the programs that include this file.
F="$H/config.toml"
L="$H/.config.toml.openab-lock"
lock() {
  lock_dir "$H" "$L"
  trap 'rmdir "$L" 2>/dev/null' EXIT
}
