/**
 * SKILL.md front matter (`$CODEX_HOME/skills/<dir>/SKILL.md`): YAML between
 * `---` lines; `name` and `description` required, `license`,
 * `allowed-tools` and `metadata` optional.
 */
import { load, YAMLException } from 'js-yaml';

export type SkillInfo = {
  /** '' when missing or unusable (see problems). */
  name: string;
  description: string;
  license?: string;
  allowedTools?: string[];
  metadata?: Record<string, string>;
  /** Empty when the front matter is valid. */
  problems: string[];
};

// The Agent Skills limits Codex applies to the two required fields.
const MAX_NAME = 64;
const MAX_DESCRIPTION = 1024;
const MAX_FILE = 1024 * 1024;
const MAX_FRONT_MATTER = 64 * 1024;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

/** Splits off the front matter: the lines between a first `---` and the next `---`. */
function frontMatterOf(text: string): { yaml: string; firstLine: number } | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return undefined;
  const end = lines.findIndex((line, k) => k > 0 && /^(---|\.\.\.)\s*$/.test(line));
  if (end < 0) return undefined;
  return { yaml: lines.slice(1, end).join('\n'), firstLine: 2 };
}

/** Reads and checks a SKILL.md; never throws. */
export function parseSkillMd(text: string): SkillInfo {
  const info: SkillInfo = { name: '', description: '', problems: [] };
  if (typeof text !== 'string') {
    info.problems.push('SKILL.md is not text');
    return info;
  }
  if (text.length > MAX_FILE) {
    info.problems.push('SKILL.md is too large');
    return info;
  }
  const front = frontMatterOf(text);
  if (!front) {
    info.problems.push('no front matter: SKILL.md must start with a line "---", then YAML, then a line "---"');
    return info;
  }
  if (front.yaml.length > MAX_FRONT_MATTER) {
    info.problems.push('front matter is too large');
    return info;
  }
  let doc: unknown;
  try {
    doc = front.yaml.trim() === '' ? {} : load(front.yaml, { maxDepth: 20 });
  } catch (e) {
    if (e instanceof YAMLException && e.mark) {
      info.problems.push(
        `front matter is not valid YAML: line ${e.mark.line + front.firstLine}, column ${e.mark.column + 1}: ${String(e.reason).slice(0, 200)}`,
      );
    } else {
      info.problems.push('front matter is not valid YAML');
    }
    return info;
  }
  if (!isObject(doc)) {
    info.problems.push('front matter must be a mapping of keys to values');
    return info;
  }

  const required = (key: 'name' | 'description', max: number) => {
    const value = doc[key];
    if (value === undefined || value === null) {
      info.problems.push(`"${key}" is missing`);
      return;
    }
    if (typeof value !== 'string') {
      info.problems.push(`"${key}" must be text`);
      return;
    }
    const trimmed = value.trim();
    if (trimmed === '') {
      info.problems.push(`"${key}" is empty`);
      return;
    }
    if (trimmed.length > max) info.problems.push(`"${key}" is longer than ${max} characters`);
    info[key] = trimmed.slice(0, max);
  };
  required('name', MAX_NAME);
  required('description', MAX_DESCRIPTION);
  if (info.name && /[\u0000-\u001f\u007f]/.test(info.name)) info.problems.push('"name" must be one line of plain text');

  if (doc.license !== undefined) {
    if (typeof doc.license === 'string') info.license = doc.license.slice(0, 200);
    else info.problems.push('"license" must be text');
  }
  const tools = doc['allowed-tools'];
  if (tools !== undefined) {
    // A space-separated string in the spec; a list is accepted too.
    if (typeof tools === 'string')
      info.allowedTools = tools
        .split(/[\s,]+/)
        .filter(Boolean)
        .slice(0, 100);
    else if (Array.isArray(tools) && tools.every((tool) => typeof tool === 'string')) info.allowedTools = (tools as string[]).slice(0, 100);
    else info.problems.push('"allowed-tools" must be text or a list of text');
  }
  if (doc.metadata !== undefined) {
    if (isObject(doc.metadata)) {
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(doc.metadata).slice(0, 50)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          metadata[key] = String(value).slice(0, 500);
        else info.problems.push(`"metadata.${key.slice(0, 50)}" must be a plain value`);
      }
      info.metadata = metadata;
    } else {
      info.problems.push('"metadata" must be a mapping');
    }
  }
  return info;
}

/** System skills ship with Codex under `skills/.system/`. */
export function isSystemSkillPath(relativePath: string): boolean {
  return /^(?:\.\/)?\.system\//.test(relativePath.replace(/^skills\//, ''));
}
