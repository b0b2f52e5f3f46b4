// Runs in the pod under node (probe.sh starts it): reduces auth.json to non-secret facts (no
// token byte leaves the pod) and sums the generated images and the latest session activity.
// `reduceAuthJson` (lib/codex/auth.ts) is put before it when it is sent (lib/fleet/probe.ts).
// It also learns Codex's version when Codex is an npm install, as in OpenAB's image (`npm install -g
// @openai/codex`): its package.json says it, so the probe need not start Codex (a Node start and
// Codex's own) only to ask. Anything else (a wrapper script, a native install) is left to
// `codex --version`.
// argv: home, the pod's cache file for the version (written only when it is learnt here).
// Output: one JSON object.
"use strict";
const fs = require("fs");
const H = process.argv[1];
const VERSION_FILE = process.argv[2];
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
    if (!f.isFile() || !/\.(png|jpe?g|webp|gif)$/i.test(f.name)) continue;
    try { const st = fs.statSync(H + "/generated_images/" + t.name + "/" + f.name); count++; bytes += st.size; newest = Math.max(newest, st.mtimeMs); } catch {}
  }
}
let activity = newest;
const latest = (p) => dirs(p).filter((d) => d.isDirectory() && /^\d+$/.test(d.name)).map((d) => d.name).sort().pop();
const y = latest(H + "/sessions"), mo = y && latest(H + "/sessions/" + y), d = mo && latest(H + "/sessions/" + y + "/" + mo);
if (d) for (const f of dirs(H + "/sessions/" + y + "/" + mo + "/" + d)) {
  try { activity = Math.max(activity, fs.statSync(H + "/sessions/" + y + "/" + mo + "/" + d + "/" + f.name).mtimeMs); } catch {}
}
process.stdout.write(JSON.stringify({ auth, images: { count, bytes }, lastActivityMs: activity || null }));
if (VERSION_FILE) {
  try {
    if (!(fs.statSync(VERSION_FILE, { throwIfNoEntry: false })?.size > 0)) {
      // The first codex on PATH is the one the probe's shell would run.
      const dir = (process.env.PATH || "").split(":").find((d) => {
        try { fs.accessSync((d || ".") + "/codex", fs.constants.X_OK); return fs.statSync((d || ".") + "/codex").isFile(); } catch { return false; }
      });
      const npm = dir !== undefined && /^(.*\/@openai\/codex)\/bin\/codex\.js$/.exec(fs.realpathSync((dir || ".") + "/codex"));
      const text = npm && readCapped(npm[1] + "/package.json", 65536);
      const pkg = typeof text === "string" ? JSON.parse(text) : null;
      if (pkg && pkg.name === "@openai/codex" && typeof pkg.version === "string" && /^\d+\.\d+\.\d+[\w.+-]*$/.test(pkg.version)) {
        fs.writeFileSync(VERSION_FILE + ".npm", "codex-cli " + pkg.version + "\n");
        fs.renameSync(VERSION_FILE + ".npm", VERSION_FILE);
      }
    }
  } catch {}
}
