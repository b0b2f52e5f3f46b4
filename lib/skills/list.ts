// The skills an agent has, from the SKILL.md files the readiness exec read. Pure.
import { createHash } from 'node:crypto';
import { isSystemSkillPath, parseSkillMd } from '../codex/skills';
import type { PodSkillFile } from '../readiness/pod-facts';
import { DELIVERY_SKILL_DIR } from './delivery-skill';

export interface SkillEntry {
  /** Folder relative to the skills folder, e.g. `discord-image-delivery`, `.system/imagegen`. */
  dir: string;
  system: boolean;
  name: string;
  description: string;
  /** Front matter problems; empty when Codex can load it. */
  problems: string[];
  /** The dashboard installed it (its record is there). */
  installedByDashboard: boolean;
  /** Installed by the dashboard but SKILL.md differs from what it wrote. */
  changedByHand: boolean;
  /** Looks like a skill that posts files to Discord. */
  delivery: boolean;
}

export interface InstallRecord {
  skill: string;
  version: number;
  /** sha256 of each file the dashboard wrote, by path in the skill's folder. */
  files: Record<string, string>;
}

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

export function parseInstallRecord(text: string | undefined): InstallRecord | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text);
    if (v && typeof v.skill === 'string' && typeof v.version === 'number' && v.files && typeof v.files === 'object') {
      const files: Record<string, string> = {};
      for (const [k, h] of Object.entries(v.files)) if (typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) files[k] = h;
      return { skill: v.skill, version: v.version, files };
    }
  } catch {
    // not ours, or damaged: treated as absent
  }
  return null;
}

const DELIVERY_WORDS = /discord/i;
const FILE_WORDS = /image|file|upload|deliver|attach|send/i;

export function listSkills(files: PodSkillFile[]): SkillEntry[] {
  return files
    .map((f): SkillEntry => {
      const dir = f.path.replace(/\/SKILL\.md$/, '');
      const system = isSystemSkillPath(dir);
      const record = parseInstallRecord(f.sidecar);
      if (f.state !== 'file') {
        const problem =
          f.state === 'symlink'
            ? 'SKILL.md or its folder is a symbolic link: not read by the dashboard'
            : 'SKILL.md cannot be read by the container user';
        return {
          dir,
          system,
          name: '',
          description: '',
          problems: [problem],
          installedByDashboard: Boolean(record),
          changedByHand: false,
          delivery: dir === DELIVERY_SKILL_DIR,
        };
      }
      const info = parseSkillMd(f.text);
      const text = `${info.name} ${info.description}`;
      return {
        dir,
        system,
        name: info.name,
        description: info.description,
        problems: info.problems,
        installedByDashboard: Boolean(record),
        changedByHand: Boolean(record?.files['SKILL.md'] && record.files['SKILL.md'] !== sha256(f.text)),
        delivery: !system && (dir === DELIVERY_SKILL_DIR || (DELIVERY_WORDS.test(text) && FILE_WORDS.test(text))),
      };
    })
    .sort((a, b) => Number(a.system) - Number(b.system) || a.dir.localeCompare(b.dir));
}
