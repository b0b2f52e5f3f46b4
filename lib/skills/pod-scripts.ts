// What skill-read (lib/pod/programs/skill-read.sh) answers, read from its frames.
import { headWords, reachedEnd, type Frame } from '../pod/frames';

/** Files of a skill folder the dashboard manages, relative to it. */
export const MANAGED_FILES = ['SKILL.md', 'scripts/upload.sh', '.openab-dashboard.json'] as const;
/** skill-read does not read a managed file larger than this. */
export const MAX_MANAGED_FILE = 65536;

export type ManagedFileRead =
  | { state: 'present'; sha: string; text: string }
  | { state: 'missing' | 'symlink' | 'toolarge' };

export interface SkillFolderRead {
  codexHome: string;
  folderSymlink: boolean;
  files: Record<(typeof MANAGED_FILES)[number], ManagedFileRead>;
}

export function parseSkillRead(frames: Frame[]): SkillFolderRead | null {
  const read: SkillFolderRead = {
    codexHome: '',
    folderSymlink: false,
    files: { 'SKILL.md': { state: 'missing' }, 'scripts/upload.sh': { state: 'missing' }, '.openab-dashboard.json': { state: 'missing' } },
  };
  for (const frame of frames) {
    const [kind, a, b] = headWords(frame);
    const body = frame.body.toString('utf8');
    if (kind === 'home') read.codexHome = body;
    else if (kind === 'folder' && a === 'symlink') read.folderSymlink = true;
    else if (kind === 'file' && (MANAGED_FILES as readonly string[]).includes(a)) {
      const key = a as (typeof MANAGED_FILES)[number];
      if (/^[0-9a-f]{64}$/.test(b)) read.files[key] = { state: 'present', sha: b, text: body };
      else if (b === 'missing' || b === 'symlink' || b === 'toolarge') read.files[key] = { state: b };
      else return null;
    }
  }
  return reachedEnd(frames) ? read : null;
}
