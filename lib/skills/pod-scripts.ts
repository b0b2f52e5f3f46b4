// What skill-read (lib/pod/programs/skill-read.sh) answers, read from its frames.
import { headWords, reachedEnd, type Frame } from '../pod/frames';
import { UPLOAD_SCRIPT_PATH } from './delivery-skill';

/** Files of a skill folder the dashboard manages: SKILL.md, its script (path per skill), its record. */
export const MANAGED_FILES = ['SKILL.md', 'script', '.openab-dashboard.json'] as const;
/** skill-read does not read a managed file larger than this. */
export const MAX_MANAGED_FILE = 65536;

export type ManagedFileRead = { state: 'present'; sha: string; text: string } | { state: 'missing' | 'symlink' | 'toolarge' };

export interface SkillFolderRead {
  codexHome: string;
  folderSymlink: boolean;
  files: Record<(typeof MANAGED_FILES)[number], ManagedFileRead>;
}

/** `scriptPath`: where the skill read keeps its script (the previous skill had another). */
export function parseSkillRead(frames: Frame[], scriptPath: string = UPLOAD_SCRIPT_PATH): SkillFolderRead | null {
  const read: SkillFolderRead = {
    codexHome: '',
    folderSymlink: false,
    files: { 'SKILL.md': { state: 'missing' }, script: { state: 'missing' }, '.openab-dashboard.json': { state: 'missing' } },
  };
  for (const frame of frames) {
    const [kind, a, b] = headWords(frame);
    const body = frame.body.toString('utf8');
    if (kind === 'home') read.codexHome = body;
    else if (kind === 'folder' && a === 'symlink') read.folderSymlink = true;
    else if (kind === 'file' && (a === 'SKILL.md' || a === scriptPath || a === '.openab-dashboard.json')) {
      const key: (typeof MANAGED_FILES)[number] = a === scriptPath ? 'script' : (a as 'SKILL.md' | '.openab-dashboard.json');
      if (/^[0-9a-f]{64}$/.test(b)) read.files[key] = { state: 'present', sha: b, text: body };
      else if (b === 'missing' || b === 'symlink' || b === 'toolarge') read.files[key] = { state: b };
      else return null;
    }
  }
  return reachedEnd(frames) ? read : null;
}
