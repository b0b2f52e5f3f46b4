// Whether installing the delivery skill may go ahead as is, or must first show the user what it
// would replace. Pure: decided from what the read script found and the bundle's own files.
import { SKILL_FILES } from '../pod/programs.generated';
import {
  DELIVERY_SKILL_DIR,
  DELIVERY_SKILL_MD,
  DELIVERY_SKILL_VERSION,
  PREVIOUS_SKILL,
  SIDECAR_PATH,
  UPLOAD_SCRIPT_PATH,
} from './delivery-skill';
import { parseInstallRecord, sha256, type InstallRecord } from './list';
import type { SkillFolderRead } from './pod-scripts';
import { unifiedDiff } from './text-diff';

/** What the folder held when the plan was made: the compare-and-swap token. */
export interface FolderState {
  skillSha: string;
  scriptSha: string;
}

export type InstallPlan =
  | { kind: 'up-to-date'; state: FolderState }
  | { kind: 'install'; state: FolderState; update: boolean }
  /**
   * `upgrade`: the agent carries the previous skill and not this one; `state` is then the
   * previous folder's, which is removed once the new one is in place.
   */
  | { kind: 'confirm'; state: FolderState; reason: string; diff: string; upgrade?: boolean }
  | { kind: 'refuse'; reason: string };

export interface Bundle {
  skillMd: string;
  script: string;
  record: string;
}

/** The delivery skill's script (UPLOAD_SCRIPT_PATH in its folder), as lib/pod/programs/skill/ holds it. */
export const UPLOAD_SCRIPT: string = SKILL_FILES['send-discord-image'];

export function deliveryBundle(): Bundle {
  const skillMd = DELIVERY_SKILL_MD;
  const script = UPLOAD_SCRIPT;
  const record: InstallRecord = {
    skill: DELIVERY_SKILL_DIR,
    version: DELIVERY_SKILL_VERSION,
    files: { 'SKILL.md': sha256(skillMd), [UPLOAD_SCRIPT_PATH]: sha256(script) },
  };
  return { skillMd, script, record: JSON.stringify(record, null, 2) + '\n' };
}

const shaOf = (f: SkillFolderRead['files'][keyof SkillFolderRead['files']]) => (f.state === 'present' ? f.sha : 'missing');

/** Whether a folder read holds anything of a skill. */
export const holdsSkill = (read: SkillFolderRead | null): read is SkillFolderRead =>
  !!read && (read.folderSymlink || Object.values(read.files).some((f) => f.state !== 'missing'));

/**
 * The plan for the delivery skill's folder (`read`), given what the folder of the skill it
 * replaces holds (`previous`): an agent with only the previous skill is offered the upgrade
 * with the difference from the files it has.
 */
export function planInstall(read: SkillFolderRead, bundle: Bundle, previous: SkillFolderRead | null = null): InstallPlan {
  const plan = planFolder(read, bundle);
  if (plan.kind !== 'install' || plan.update || !holdsSkill(previous)) return plan;
  const skill = previous.files['SKILL.md'];
  const script = previous.files.script;
  if (
    previous.folderSymlink ||
    skill.state === 'symlink' ||
    script.state === 'symlink' ||
    skill.state === 'toolarge' ||
    script.state === 'toolarge'
  ) {
    return {
      kind: 'refuse',
      reason: `skills/${PREVIOUS_SKILL.dir} (the previous delivery skill) holds a link or an oversized file; remove it by hand first, so Codex does not follow two delivery skills.`,
    };
  }
  const text = (f: typeof skill) => (f.state === 'present' ? f.text : '');
  return {
    kind: 'confirm',
    upgrade: true,
    state: { skillSha: shaOf(skill), scriptSha: shaOf(script) },
    reason: `This agent carries the previous delivery skill (skills/${PREVIOUS_SKILL.dir}). Upgrading installs skills/${DELIVERY_SKILL_DIR} and removes the previous one, so Codex follows only the new one.`,
    diff: [
      unifiedDiff(text(skill), bundle.skillMd, {
        from: `skills/${PREVIOUS_SKILL.dir}/SKILL.md (now)`,
        to: `skills/${DELIVERY_SKILL_DIR}/SKILL.md (dashboard)`,
      }),
      unifiedDiff(text(script), bundle.script, {
        from: `skills/${PREVIOUS_SKILL.dir}/${PREVIOUS_SKILL.scriptPath} (now)`,
        to: `skills/${DELIVERY_SKILL_DIR}/${UPLOAD_SCRIPT_PATH} (dashboard)`,
      }),
    ].join(''),
  };
}

function planFolder(read: SkillFolderRead, bundle: Bundle): InstallPlan {
  const skill = read.files['SKILL.md'];
  const script = read.files.script;
  if (read.folderSymlink || skill.state === 'symlink' || script.state === 'symlink') {
    return {
      kind: 'refuse',
      reason: `skills/${DELIVERY_SKILL_DIR} holds a symbolic link; the dashboard does not write through links. Remove it by hand first.`,
    };
  }
  if (skill.state === 'toolarge' || script.state === 'toolarge') {
    return {
      kind: 'refuse',
      reason: `A file in skills/${DELIVERY_SKILL_DIR} is larger than a skill file should be; check it by hand first.`,
    };
  }
  const state: FolderState = { skillSha: shaOf(skill), scriptSha: shaOf(script) };
  const wanted = { skillSha: sha256(bundle.skillMd), scriptSha: sha256(bundle.script) };
  if (state.skillSha === wanted.skillSha && state.scriptSha === wanted.scriptSha) return { kind: 'up-to-date', state };
  if (state.skillSha === 'missing' && state.scriptSha === 'missing') return { kind: 'install', state, update: false };
  const sidecar = read.files[SIDECAR_PATH as '.openab-dashboard.json'];
  const record = parseInstallRecord(sidecar.state === 'present' ? sidecar.text : undefined);
  const untouched =
    record &&
    (record.files['SKILL.md'] ?? 'missing') === state.skillSha &&
    (record.files[UPLOAD_SCRIPT_PATH] ?? 'missing') === state.scriptSha;
  if (untouched) return { kind: 'install', state, update: true };
  const current = (f: typeof skill) => (f.state === 'present' ? f.text : '');
  const diff = [
    unifiedDiff(current(skill), bundle.skillMd, {
      from: `skills/${DELIVERY_SKILL_DIR}/SKILL.md (now)`,
      to: `skills/${DELIVERY_SKILL_DIR}/SKILL.md (dashboard)`,
    }),
    unifiedDiff(current(script), bundle.script, {
      from: `skills/${DELIVERY_SKILL_DIR}/${UPLOAD_SCRIPT_PATH} (now)`,
      to: `skills/${DELIVERY_SKILL_DIR}/${UPLOAD_SCRIPT_PATH} (dashboard)`,
    }),
  ].join('');
  return {
    kind: 'confirm',
    state,
    reason: record
      ? `Someone changed skills/${DELIVERY_SKILL_DIR} by hand since the dashboard installed it. Installing replaces their changes.`
      : `skills/${DELIVERY_SKILL_DIR} exists and was not installed by the dashboard. Installing replaces its SKILL.md and ${UPLOAD_SCRIPT_PATH}.`,
    diff,
  };
}
