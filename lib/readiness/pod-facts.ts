// What pod-facts (lib/pod/programs/pod-facts.sh) answers, read from its frames: the upload
// token variables the container has (presence only), OpenAB's config.toml as mounted, and the
// SKILL.md files under Codex's skills folder.
import { headWords, reachedEnd, type Frame } from '../pod/frames';

/** Where pod-facts reads OpenAB's own config. */
export const OPENAB_CONFIG_PATH = '/etc/openab/config.toml';

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

/** The facts, or null when the program ended early. */
export function parsePodFacts(frames: Frame[]): PodFacts | null {
  const facts: PodFacts = {
    codexHome: '',
    tokenVars: { DISCORD_FILE_BOT_TOKEN: false, DISCORD_BOT_TOKEN: false },
    openabConfig: null,
    skills: [],
  };
  for (const frame of frames) {
    const [name, kind, ...rest] = headWords(frame);
    const body = frame.body.toString('utf8');
    switch (name) {
      case 'home':
        facts.codexHome = body;
        break;
      case 'env': {
        const names = body.split('\n');
        facts.tokenVars = {
          DISCORD_FILE_BOT_TOKEN: names.includes('DISCORD_FILE_BOT_TOKEN'),
          DISCORD_BOT_TOKEN: names.includes('DISCORD_BOT_TOKEN'),
        };
        break;
      }
      case 'openab':
        facts.openabConfig = body === 'missing' ? null : body;
        break;
      case 'skill':
        if (kind === 'file' || kind === 'symlink' || kind === 'unreadable')
          facts.skills.push({ path: rest.join(' '), state: kind, text: kind === 'file' ? body : '' });
        break;
      case 'sidecar': {
        const skill = facts.skills.find((s) => s.path === rest.join(' '));
        if (skill) skill.sidecar = body;
        break;
      }
    }
  }
  return reachedEnd(frames) ? facts : null;
}
