// The one command the dashboard runs in an agent's pod to learn everything the overview shows.
// It is a fixed script: every value arrives as a positional argument, never spliced into it.
//
// Cost matters (a fleet of pods shares a node's CPU): the script first fingerprints the files
// it reads (stat only). When the fingerprint matches the one the dashboard already has, it
// prints just that and stops. Codex itself (~60 ms of CPU per start) runs only when
// config.toml changed since the pod's last probe; its answers are cached in the pod's /tmp,
// which dies with the pod, as does any stale answer about its Codex version.
import { reduceAuthJson } from '../codex/auth';

/** $1 = marker nonce, $2 = previous fingerprint ('' if none), $3 = the node reducer below. */
export const PROBE_SHELL = `set -u
N="$1"; PREV="$2"
H="\${CODEX_HOME:-\${HOME:-/home/node}/.codex}"
m() { printf '\\n@@%s@@ %s\\n' "$N" "$1"; }
FP=$( { echo "$H"; stat -c '%n %Y %s %i' "$H" "$H/auth.json" "$H/config.toml" "$H/generated_images" "$H"/generated_images/* "$H/sessions" "$H"/sessions/*/*/* 2>/dev/null; command -v codex; } | cksum | tr ' ' '-')
m "fp $FP"
if [ -n "$PREV" ] && [ "$FP" = "$PREV" ]; then m unchanged; exit 0; fi
m home; printf '%s' "$H"
m facts
node -e "$3" "$H" 2>/dev/null || printf '{"nodeMissing":true}'
m config
if [ -f "$H/config.toml" ]; then head -c 262144 "$H/config.toml"; else printf 'missing'; fi
C=/tmp/.openab-dashboard
mkdir -p "$C" 2>/dev/null
CK=$(stat -c '%Y-%s-%i' "$H/config.toml" 2>/dev/null || echo none)
F="$C/features-$CK"
if [ -s "$F" ]; then m "features 0"; cat "$F"
else
  codex features list >"$F.tmp" 2>"$C/features.err"; rc=$?
  m "features $rc"
  if [ "$rc" = 0 ]; then mv "$F.tmp" "$F"; cat "$F"; else head -c 4096 "$C/features.err"; rm -f "$F.tmp"; fi
fi
V="$C/version"
[ -s "$V" ] || codex --version >"$V" 2>/dev/null
m version; head -c 200 "$V" 2>/dev/null
m end
`;

/**
 * Runs in the pod under node: reduces auth.json to non-secret facts (no token byte leaves the
 * pod) and sums the generated images and the latest session activity.
 */
export const PROBE_NODE = `"use strict";
const fs = require("fs");
const H = process.argv[1];
const reduceAuthJson = ${reduceAuthJson.toString()};
function readCapped(p, cap) {
  let fd;
  try { fd = fs.openSync(p, "r"); } catch (e) { return e.code === "ENOENT" ? null : { error: e.code || "unreadable" }; }
  try { const buf = Buffer.alloc(cap + 1); const n = fs.readSync(fd, buf, 0, cap + 1, 0); return buf.subarray(0, n).toString("utf8"); }
  catch (e) { return { error: e.code || "unreadable" }; }
  finally { fs.closeSync(fd); }
}
const raw = readCapped(H + "/auth.json", 1048576);
const auth = raw !== null && typeof raw === "object" ? { present: true, hasTokens: false, parseError: "auth.json cannot be read (" + raw.error + ")" } : reduceAuthJson(raw);
let count = 0, bytes = 0, newest = 0;
const dirs = (p) => { try { return fs.readdirSync(p, { withFileTypes: true }); } catch { return []; } };
for (const t of dirs(H + "/generated_images")) {
  if (!t.isDirectory()) continue;
  for (const f of dirs(H + "/generated_images/" + t.name)) {
    if (!f.isFile() || !/\\.(png|jpe?g|webp|gif)$/i.test(f.name)) continue;
    try { const st = fs.statSync(H + "/generated_images/" + t.name + "/" + f.name); count++; bytes += st.size; newest = Math.max(newest, st.mtimeMs); } catch {}
  }
}
let activity = newest;
const latest = (p) => dirs(p).filter((d) => d.isDirectory() && /^\\d+$/.test(d.name)).map((d) => d.name).sort().pop();
const y = latest(H + "/sessions"), mo = y && latest(H + "/sessions/" + y), d = mo && latest(H + "/sessions/" + y + "/" + mo);
if (d) for (const f of dirs(H + "/sessions/" + y + "/" + mo + "/" + d)) {
  try { activity = Math.max(activity, fs.statSync(H + "/sessions/" + y + "/" + mo + "/" + d + "/" + f.name).mtimeMs); } catch {}
}
process.stdout.write(JSON.stringify({ auth, images: { count, bytes }, lastActivityMs: activity || null }));
`;

export interface ProbeSections {
  fingerprint: string;
  unchanged: boolean;
  home?: string;
  facts?: string;
  config?: string;
  featuresExit?: number;
  features?: string;
  version?: string;
  complete: boolean;
}

/** Splits the probe's output at its nonce markers (a file's content cannot forge them). */
export function splitProbeOutput(stdout: string, nonce: string): ProbeSections {
  const marker = `\n@@${nonce}@@ `;
  const parts = ('\n' + stdout).split(marker).slice(1);
  const out: ProbeSections = { fingerprint: '', unchanged: false, complete: false };
  for (const part of parts) {
    const nl = part.indexOf('\n');
    const head = nl === -1 ? part : part.slice(0, nl);
    const body = nl === -1 ? '' : part.slice(nl + 1);
    const [name, arg] = head.split(' ');
    switch (name) {
      case 'fp': out.fingerprint = arg ?? ''; break;
      case 'unchanged': out.unchanged = true; out.complete = true; break;
      case 'home': out.home = body; break;
      case 'facts': out.facts = body; break;
      case 'config': out.config = body; break;
      case 'features': out.featuresExit = Number(arg); out.features = body; break;
      case 'version': out.version = body.trim(); break;
      case 'end': out.complete = true; break;
    }
  }
  return out;
}
