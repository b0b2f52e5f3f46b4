// The one exec the readiness check runs in an agent's pod: which upload token variables the
// container has (presence only: no value is ever printed), OpenAB's own config.toml as mounted
// at /etc/openab, and every SKILL.md under Codex's skills folder (symlinks are not followed).
// A fixed script: the only value it takes is the marker nonce, as "$1".

export const OPENAB_CONFIG_PATH = '/etc/openab/config.toml';
const MAX_OPENAB_CONFIG = 65536;
const MAX_SKILL_MD = 16384;

/** $1 = marker nonce. */
export const POD_FACTS_SCRIPT = `set -u
N="$1"
H="\${CODEX_HOME:-\${HOME:-/home/node}/.codex}"
m() { printf '\\n@@%s@@ %s\\n' "$N" "$1"; }
m home; printf '%s' "$H"
m env
[ -n "\${DISCORD_FILE_BOT_TOKEN:-}" ] && printf 'DISCORD_FILE_BOT_TOKEN\\n'
[ -n "\${DISCORD_BOT_TOKEN:-}" ] && printf 'DISCORD_BOT_TOKEN\\n'
m openab
if [ -f ${OPENAB_CONFIG_PATH} ] && [ -r ${OPENAB_CONFIG_PATH} ]; then head -c ${MAX_OPENAB_CONFIG} ${OPENAB_CONFIG_PATH}; else printf 'missing'; fi
for f in "$H"/skills/*/SKILL.md "$H"/skills/.system/*/SKILL.md; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  rel=\${f#"$H/skills/"}
  d=\${f%/SKILL.md}
  if [ -L "$f" ] || [ -L "$d" ]; then m "skill symlink $rel"; continue; fi
  if [ ! -r "$f" ]; then m "skill unreadable $rel"; continue; fi
  m "skill file $rel"; head -c ${MAX_SKILL_MD} "$f"
  [ -f "$d/.openab-dashboard.json" ] && { m "sidecar - $rel"; head -c 4096 "$d/.openab-dashboard.json"; }
done
m end
`;

export interface PodSkillFile {
  /** Relative to the skills folder, e.g. `discord-image-delivery/SKILL.md`, `.system/imagegen/SKILL.md`. */
  path: string;
  state: 'file' | 'symlink' | 'unreadable';
  text: string;
  /** The dashboard's record of what it installed there, when present. */
  sidecar?: string;
}

export interface PodFacts {
  codexHome: string;
  /** Which upload token variables are set (non-empty) in the container. */
  tokenVars: { DISCORD_FILE_BOT_TOKEN: boolean; DISCORD_BOT_TOKEN: boolean };
  /** OpenAB's config.toml as mounted in the pod, or null when it is not mounted or readable there. */
  openabConfig: string | null;
  skills: PodSkillFile[];
}

/** Splits the script's output at its nonce markers; null when it ended early. */
export function parsePodFacts(stdout: string, nonce: string): PodFacts | null {
  const marker = `\n@@${nonce}@@ `;
  const parts = ('\n' + stdout).split(marker).slice(1);
  const facts: PodFacts = { codexHome: '', tokenVars: { DISCORD_FILE_BOT_TOKEN: false, DISCORD_BOT_TOKEN: false }, openabConfig: null, skills: [] };
  let complete = false;
  for (const part of parts) {
    const nl = part.indexOf('\n');
    const head = nl === -1 ? part : part.slice(0, nl);
    const body = nl === -1 ? '' : part.slice(nl + 1);
    const [name, kind, ...rest] = head.split(' ');
    switch (name) {
      case 'home':
        facts.codexHome = body;
        break;
      case 'env': {
        const names = body.split('\n');
        facts.tokenVars = { DISCORD_FILE_BOT_TOKEN: names.includes('DISCORD_FILE_BOT_TOKEN'), DISCORD_BOT_TOKEN: names.includes('DISCORD_BOT_TOKEN') };
        break;
      }
      case 'openab':
        facts.openabConfig = body === 'missing' ? null : body;
        break;
      case 'skill':
        if (kind === 'file' || kind === 'symlink' || kind === 'unreadable') facts.skills.push({ path: rest.join(' '), state: kind, text: kind === 'file' ? body : '' });
        break;
      case 'sidecar': {
        const skill = facts.skills.find((s) => s.path === rest.join(' '));
        if (skill) skill.sidecar = body;
        break;
      }
      case 'end':
        complete = true;
        break;
    }
  }
  return complete ? facts : null;
}
