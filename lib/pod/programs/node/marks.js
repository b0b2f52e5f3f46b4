// Appends one JSON line (its input) to the dashboard's marks file on the agent's volume,
// atomically (whole file rewritten to a temp file in the same directory, then renamed), and
// with a claim for a resend: `claim <key>` creates `<key>.claim` exclusively unless the key is
// already marked; `release <key>` removes it. argv: home, command, key.
// Output: one frame `answer <json>`.
"use strict";
const fs = require("fs"), path = require("path");
const H = process.argv[1], CMD = process.argv[2], KEY = process.argv[3] || "";
/** @param {object} a */
const answer = (a) => process.stdout.write("\n@@" + nonce + "@@ answer " + JSON.stringify(a) + "\n");
if (!/^[a-f0-9]{16,64}$/.test(KEY)) { answer({ error: "bad key" }); process.exit(2); }
const F = path.join(H, "openab-dashboard", "deliveries.jsonl"), D = path.dirname(F);
fs.mkdirSync(D, { recursive: true, mode: 0o700 });
const read = () => { try { return fs.readFileSync(F, "utf8"); } catch { return ""; } };
const marked = () => read().split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((m) => m && m.key === KEY);
const claim = path.join(D, KEY + ".claim");
if (CMD === "claim") {
  const m = marked();
  if (m) { answer({ marked: m }); process.exit(0); }
  try { const st = fs.statSync(claim); if (Date.now() - st.mtimeMs > 120000) fs.unlinkSync(claim); } catch {}
  try { fs.writeFileSync(claim, String(Date.now()), { flag: "wx" }); answer({ claimed: true }); }
  catch { answer({ busy: true }); }
} else if (CMD === "mark") {
  const line = input.trim();
  JSON.parse(line);
  const before = read();
  const tmp = F + "." + process.pid + ".tmp";
  fs.writeFileSync(tmp, (before && !before.endsWith("\n") ? before + "\n" : before) + line + "\n", { mode: 0o600 });
  fs.renameSync(tmp, F);
  try { fs.unlinkSync(claim); } catch {}
  answer({ marked: true });
} else if (CMD === "release") {
  try { fs.unlinkSync(claim); } catch {}
  answer({ released: true });
}
