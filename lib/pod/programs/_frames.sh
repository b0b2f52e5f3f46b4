#!/bin/sh
# The one output protocol of pod programs. "$1" is the nonce the dashboard chose for this run;
# a frame is a line `@@<nonce>@@ <head>` at the start of a line, and its body is what follows
# up to the newline before the next frame. A file's content cannot forge a frame: it cannot
# know the nonce. The program's own arguments follow the nonce.
set -u
N="$1"
shift
m() { printf '\n@@%s@@ %s\n' "$N" "$*"; }
# `fail CODE STATUS`: the error frame `E CODE` (lib/pod/errors.ts has the words), then stop.
fail() { m E "$1"; exit "$2"; }
