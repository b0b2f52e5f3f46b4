// Reads the inventory program's output as it streams in: image entries, stray files, and
// each rollout's reduced lines, handed to the parser one session at a time, so no more than
// one session's lines are held at once.
import { parseRolloutLines, type Rollout } from '../codex/rollout';
import type { FrameHandlers } from '../pod/frames';

export interface ImageEntry {
  /** `<thread>/<file>` under generated_images. */
  name: string;
  /** The Codex session (thread) id: the directory name. */
  session: string;
  file: string;
  size: number;
  mtimeMs: number;
  /** The file's inode in the pod: with size and mtime, which file the listing saw (cached copies are tied to it). */
  ino: number;
  width: number | null;
  height: number | null;
  /** A copy in the stable folder (`~/generated-images`) rather than Codex's generated_images. */
  source?: 'stable';
}

export interface StrayEntry {
  name: string;
  /** not-an-image: the name says so; not-image-bytes: the first bytes say so; hard-link: more than one link. */
  why: 'symlink' | 'not-a-file' | 'not-a-directory' | 'not-an-image' | 'not-image-bytes' | 'hard-link' | 'bad-name' | string;
}

export interface SessionFile {
  /** Path under sessions/, e.g. `2026/11/02/rollout-...jsonl`. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Parsed now, or null when the dashboard said it knows this version already. */
  rollout: Rollout | null;
}

export interface InventoryOutput {
  home: string | null;
  images: ImageEntry[];
  /** Images of the stable folder, named like generated_images' (`<thread>/<file>`). */
  stableImages: ImageEntry[];
  strays: StrayEntry[];
  sessions: SessionFile[];
  marksText: string;
  complete: boolean;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Reads the inventory program's frames as they stream (see lib/pod/frames.ts). */
export class InventoryReader implements FrameHandlers {
  private section: 'none' | 'session' | 'marks' = 'none';
  private sessionLines: string[] = [];
  private current: SessionFile | null = null;
  private marks: string[] = [];
  readonly out: InventoryOutput = { home: null, images: [], stableImages: [], strays: [], sessions: [], marksText: '', complete: false };

  /** The output ended: what it said. */
  end(): InventoryOutput {
    this.closeSection();
    return this.out;
  }

  line(line: Buffer): void {
    if (this.section === 'session') this.sessionLines.push(line.toString('utf8'));
    else if (this.section === 'marks') this.marks.push(line.toString('utf8'));
  }

  private closeSection(): void {
    if (this.section === 'session' && this.current) {
      this.current.rollout = parseRolloutLines(this.sessionLines);
      this.out.sessions.push(this.current);
    }
    if (this.section === 'marks') this.out.marksText = this.marks.join('\n');
    this.section = 'none';
    this.sessionLines = [];
    this.current = null;
  }

  start(head: string): void {
    const space = head.indexOf(' ');
    const kind = space < 0 ? head : head.slice(0, space);
    let meta: Record<string, unknown> = {};
    try {
      meta = JSON.parse(space < 0 ? '{}' : head.slice(space + 1));
    } catch {
      return;
    }
    this.closeSection();
    const p = typeof meta.p === 'string' ? meta.p : '';
    switch (kind) {
      case 'home':
        this.out.home = typeof meta.home === 'string' ? meta.home : null;
        break;
      case 'image':
      case 'stable': {
        const [session, file] = p.split('/');
        if (!session || !file) break;
        (kind === 'stable' ? this.out.stableImages : this.out.images).push({
          name: p,
          session,
          file,
          size: num(meta.s),
          mtimeMs: num(meta.m),
          ino: num(meta.i),
          width: typeof meta.w === 'number' ? meta.w : null,
          height: typeof meta.h === 'number' ? meta.h : null,
          ...(kind === 'stable' ? { source: 'stable' as const } : {}),
        });
        break;
      }
      case 'stray':
        this.out.strays.push({ name: p, why: String(meta.why ?? 'unknown') });
        break;
      case 'known':
        this.out.sessions.push({ path: p, size: num(meta.s), mtimeMs: num(meta.m), rollout: null });
        break;
      case 'session':
        this.section = 'session';
        this.current = { path: p, size: num(meta.s), mtimeMs: num(meta.m), rollout: null };
        break;
      case 'marks':
        this.section = 'marks';
        break;
      case 'end':
        this.out.complete = true;
        break;
    }
  }
}

/** `path|size|mtime`: how the pod program recognises a rollout the dashboard already parsed. */
export function sessionVersionKey(file: Pick<SessionFile, 'path' | 'size' | 'mtimeMs'>): string {
  return `${file.path}|${file.size}|${Math.round(file.mtimeMs)}`;
}
