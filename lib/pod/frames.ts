// The one output protocol of pod programs, and its one reader. A program is given a nonce (a
// random word) and says everything in frames: a line `@@<nonce>@@ <head>` at the start of a
// line, its body the bytes after it up to the newline before the next frame (or the end of the
// output). A file a program prints cannot forge a frame: it cannot know the nonce. Output
// before the first frame (a shell's stray words) is not part of any frame.

export interface Frame {
  head: string;
  body: Buffer;
}

export interface FrameHandlers {
  /** A whole frame (not called when `line` is given: the body is not kept then). */
  frame?(head: string, body: Buffer): void;
  /** A frame starts (for reading long outputs as they stream). */
  start?(head: string): void;
  /** A line of the current frame's body, without its newline, as it arrives. */
  line?(line: Buffer): void;
}

export class FrameReader {
  private readonly marker: Buffer;
  private pending: Buffer = Buffer.alloc(0);
  private head: string | null = null;
  private lines: Buffer[] = [];

  constructor(
    nonce: string,
    private readonly handlers: FrameHandlers,
  ) {
    this.marker = Buffer.from(`@@${nonce}@@`);
  }

  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const data = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    let at = 0;
    for (let nl = data.indexOf(10, at); nl >= 0; nl = data.indexOf(10, at)) {
      this.lineEnded(data.subarray(at, nl));
      at = nl + 1;
    }
    this.pending = Buffer.from(data.subarray(at));
  }

  /** The output ended: its last frame runs to the last byte. */
  end(): void {
    if (this.head !== null) {
      if (this.handlers.line) {
        if (this.pending.length) this.handlers.line(this.pending);
      } else this.lines.push(this.pending);
    }
    this.pending = Buffer.alloc(0);
    this.finish();
  }

  private lineEnded(line: Buffer): void {
    const m = this.marker.length;
    if (line.subarray(0, m).equals(this.marker) && (line.length === m || line[m] === 0x20)) {
      this.finish();
      this.head = line.subarray(m + 1).toString('utf8');
      this.handlers.start?.(this.head);
      return;
    }
    if (this.head === null) return;
    if (this.handlers.line) this.handlers.line(line);
    else this.lines.push(Buffer.from(line));
  }

  private finish(): void {
    if (this.head !== null && !this.handlers.line) {
      const parts: Buffer[] = [];
      this.lines.forEach((l, i) => parts.push(...(i ? [Buffer.from('\n'), l] : [l])));
      this.handlers.frame?.(this.head, Buffer.concat(parts));
    }
    this.head = null;
    this.lines = [];
  }
}

/** Every frame of a whole output. */
export function parseFrames(output: Buffer | string, nonce: string): Frame[] {
  const frames: Frame[] = [];
  const reader = new FrameReader(nonce, { frame: (head, body) => frames.push({ head, body }) });
  reader.write(output);
  reader.end();
  return frames;
}

/** The head's words: `file SKILL.md <sha>` -> ['file', 'SKILL.md', '<sha>']. */
export const headWords = (frame: Frame): string[] => frame.head.split(' ');

/** Whether the program got to its `end` frame. */
export const reachedEnd = (frames: Frame[]): boolean => frames.some((f) => f.head === 'end');

/** The program's last frame's head (its answer, `OK ...` or `E <code>`), or ''. */
export const lastHead = (frames: Frame[]): string => frames.at(-1)?.head ?? '';
