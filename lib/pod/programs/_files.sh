#!/bin/sh
# `digest`: sha256 of stdin (with node where the image lacks sha256sum).
# `lock_dir DIR LOCK`: DIR must exist and be writable (`E nodir` / `E readonly`, exit 20), then
# LOCK is taken (a directory: mkdir is atomic), breaking one older than 2 minutes (left by an
# exec that died with its connection), else `E busy` (exit 21). The caller sets its own EXIT
# trap to release it.
digest() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -c1-64
  else node -e 'const h=require("crypto").createHash("sha256");process.stdin.on("data",(d)=>h.update(d)).on("end",()=>console.log(h.digest("hex")))'
  fi
}
lock_dir() {
  mkdir -p "$1" 2>/dev/null || fail nodir 20
  [ -w "$1" ] || fail readonly 20
  n=0
  until mkdir "$2" 2>/dev/null; do
    n=$((n+1))
    if [ "$n" -ge 80 ]; then
      if [ -n "$(find "$2" -maxdepth 0 -mmin +2 2>/dev/null)" ]; then rmdir "$2" 2>/dev/null; n=0; continue; fi
      fail busy 21
    fi
    sleep 0.1
  done
}
