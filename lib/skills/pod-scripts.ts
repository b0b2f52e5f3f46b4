// The fixed scripts that read and install a skill in an agent's Codex home. Values arrive as
// positional arguments ("$1"...) and file contents on stdin, never spliced into the text.

import { POD_SHELL_PRELUDE } from '../pod-shell';
import { UPLOAD_SCRIPT_PATH } from './delivery-skill';

const PRELUDE = `${POD_SHELL_PRELUDE}
S="$H/skills"
`;

/** Files of a skill folder the dashboard manages: SKILL.md, its script (path per skill), its record. */
export const MANAGED_FILES = ['SKILL.md', 'script', '.openab-dashboard.json'] as const;
export const MAX_MANAGED_FILE = 65536;

/**
 * $1 = skill folder name, $2 = marker nonce, $3 = the script's path in it. Prints `home`, then for each managed file a marker
 * `file <path> <sha256|missing|symlink|toolarge>` followed by its bytes.
 */
export const READ_SKILL_SCRIPT = `${PRELUDE}
D="$S/$1"; N="$2"
m() { printf '\\n@@%s@@ %s\\n' "$N" "$1"; }
m home; printf '%s' "$H"
if [ -L "$S" ] || [ -L "$D" ] || [ -L "$D/scripts" ]; then m "folder symlink"; m end; exit 0; fi
for f in SKILL.md "$3" .openab-dashboard.json; do
  p="$D/$f"
  if [ -L "$p" ]; then m "file $f symlink"
  elif [ ! -f "$p" ]; then m "file $f missing"
  elif [ "$(wc -c < "$p" | tr -d ' ')" -gt ${MAX_MANAGED_FILE} ]; then m "file $f toolarge"
  else m "file $f $(digest < "$p")"; cat "$p"
  fi
done
m end
`;

/**
 * Installs a skill, compare-and-swap under a lock. $1 = folder name; $2, $3 = the sha256 (or
 * "missing") SKILL.md and its script must still have; $4, $5, $6 = byte sizes of the new
 * SKILL.md, script and record, which arrive concatenated on stdin. A new folder is built
 * beside the skills and renamed into place; an existing one gets each file renamed over
 * (SKILL.md after the script, the record last). Last line: `OK` or `E <reason>`.
 */
export const INSTALL_SKILL_SCRIPT = `${PRELUDE}
D="$S/$1"; L="$H/.skills.openab-lock"; T="$S/.openab-new.$$"
lock_dir "$S" "$L"
trap 'rm -rf "$T"; rmdir "$L" 2>/dev/null' EXIT
for p in "$S" "$D" "$D/scripts" "$D/SKILL.md" "$D/${UPLOAD_SCRIPT_PATH}"; do [ -L "$p" ] && { say "E symlink"; exit 22; }; done
cur() { if [ -f "$D/$1" ]; then digest < "$D/$1"; else echo missing; fi; }
[ "$(cur SKILL.md)" = "$2" ] && [ "$(cur ${UPLOAD_SCRIPT_PATH})" = "$3" ] || { say "E conflict"; exit 23; }
mkdir -p "$T/scripts" 2>/dev/null || { say "E write"; exit 24; }
cat > "$T/.all" 2>/dev/null || { say "E write"; exit 24; }
[ "$(wc -c < "$T/.all" | tr -d ' ')" = "$(( $4 + $5 + $6 ))" ] || { say "E short"; exit 24; }
{ head -c "$4" "$T/.all" > "$T/SKILL.md" &&
  tail -c +"$(( $4 + 1 ))" "$T/.all" | head -c "$5" > "$T/${UPLOAD_SCRIPT_PATH}" &&
  tail -c +"$(( $4 + $5 + 1 ))" "$T/.all" > "$T/.openab-dashboard.json" &&
  rm -f "$T/.all" && chmod 755 "$T" "$T/scripts" "$T/${UPLOAD_SCRIPT_PATH}" && chmod 644 "$T/SKILL.md" "$T/.openab-dashboard.json"; } 2>/dev/null || { say "E write"; exit 24; }
if [ ! -e "$D" ]; then
  mv "$T" "$D" 2>/dev/null || { say "E rename"; exit 25; }
else
  mkdir -p "$D/scripts" 2>/dev/null || { say "E write"; exit 24; }
  for f in ${UPLOAD_SCRIPT_PATH} SKILL.md .openab-dashboard.json; do mv -f "$T/$f" "$D/$f" 2>/dev/null || { say "E rename"; exit 25; }; done
fi
say OK
`;

export type ManagedFileRead =
  | { state: 'present'; sha: string; text: string }
  | { state: 'missing' | 'symlink' | 'toolarge' };

export interface SkillFolderRead {
  codexHome: string;
  folderSymlink: boolean;
  files: Record<(typeof MANAGED_FILES)[number], ManagedFileRead>;
}

export function parseSkillRead(stdout: string, nonce: string, scriptPath: string = UPLOAD_SCRIPT_PATH): SkillFolderRead | null {
  const parts = ('\n' + stdout).split(`\n@@${nonce}@@ `).slice(1);
  const read: SkillFolderRead = {
    codexHome: '',
    folderSymlink: false,
    files: { 'SKILL.md': { state: 'missing' }, script: { state: 'missing' }, '.openab-dashboard.json': { state: 'missing' } },
  };
  let complete = false;
  for (const part of parts) {
    const nl = part.indexOf('\n');
    const head = nl === -1 ? part : part.slice(0, nl);
    const body = nl === -1 ? '' : part.slice(nl + 1);
    const [kind, a, b] = head.split(' ');
    if (kind === 'home') read.codexHome = body;
    else if (kind === 'folder' && a === 'symlink') read.folderSymlink = true;
    else if (kind === 'file' && (a === 'SKILL.md' || a === scriptPath || a === '.openab-dashboard.json')) {
      const key: (typeof MANAGED_FILES)[number] = a === scriptPath ? 'script' : (a as 'SKILL.md' | '.openab-dashboard.json');
      if (/^[0-9a-f]{64}$/.test(b)) read.files[key] = { state: 'present', sha: b, text: body };
      else if (b === 'missing' || b === 'symlink' || b === 'toolarge') read.files[key] = { state: b };
      else return null;
    } else if (kind === 'end') complete = true;
  }
  return complete ? read : null;
}

/**
 * Removes a skill folder the user agreed to replace, compare-and-swap under the install lock:
 * $1 = folder name, $2 = its script's path, $3, $4 = the sha256 (or "missing") its SKILL.md and
 * script must still have. Last line: `OK`, `GONE` or `E <reason>`.
 */
export const REMOVE_SKILL_SCRIPT = `${PRELUDE}
D="$S/$1"; L="$H/.skills.openab-lock"
lock_dir "$S" "$L"
trap 'rmdir "$L" 2>/dev/null' EXIT
[ -e "$D" ] || { say GONE; exit 0; }
for p in "$S" "$D" "$D/scripts" "$D/SKILL.md" "$D/$2"; do [ -L "$p" ] && { say "E symlink"; exit 22; }; done
cur() { if [ -f "$D/$1" ]; then digest < "$D/$1"; else echo missing; fi; }
[ "$(cur SKILL.md)" = "$3" ] && [ "$(cur "$2")" = "$4" ] || { say "E conflict"; exit 23; }
rm -rf "$D" 2>/dev/null || { say "E rename"; exit 25; }
say OK
`;
