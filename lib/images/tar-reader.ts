// Turns the transfer program's tar stream back into files, checking each one's byte count
// against what the listing promised. Kept apart from the exec so it can be tested on any tar.
import { extract } from 'tar-stream';
import { PassThrough, type Readable } from 'node:stream';
import { checkImageName, MAX_IMAGE_BYTES } from './paths';
import { PAGE_ENTRY } from './pod-scripts';

export interface WantedFile {
  name: string;
  size: number;
  /** Which file the listing saw, when known: the pod refuses another one under the same name. */
  mtimeMs?: number;
  ino?: number;
  /** From the stable folder rather than generated_images. */
  source?: 'stable';
}

/** A file a transfer chose itself for a page (see lib/pod/programs/node/transfer.js), as its pod saw it. */
export interface PageFile extends WantedFile {
  mtimeMs: number;
  ino: number;
}

/**
 * Each delivered file goes to exactly one of onFile (streamed) or onBytes (whole, in one
 * buffer of the listed size: what thumbnails and Discord uploads need anyway, without a
 * stream per file). The archive waits for the returned promise before the next file.
 */
export type TarHandlers = (
  | {
      /** Called once per delivered file, in archive order; the stream must be consumed. */
      onFile(name: string, data: Readable, size: number): Promise<void>;
      onBytes?: never;
    }
  | {
      /** Called once per delivered file, in archive order, with every byte of it. */
      onBytes(name: string, bytes: Buffer): Promise<void> | void;
      /** Where each file's bytes go (default: a new buffer); a file that fails is not handed back. */
      allocate?(size: number): Buffer;
      onFile?: never;
    }
) & {
  /** A file the pod refused or could not send, or whose bytes did not add up. */
  onError(name: string, reason: string): void;
  /**
   * The files a page transfer chose, before their bytes: from then on they are wanted as
   * if listed. Without this handler a page entry is ignored.
   */
  onPage?(files: PageFile[]): void;
};

/** The page entry's list, each file's name and numbers checked: the pod is not trusted. */
function parsePage(text: string): PageFile[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const files: PageFile[] = [];
  for (const x of raw as Array<{ p?: unknown; s?: unknown; m?: unknown; i?: unknown }>) {
    const name = checkImageName(x?.p);
    if (
      !name.ok ||
      !Number.isSafeInteger(x.s) ||
      (x.s as number) < 0 ||
      (x.s as number) > MAX_IMAGE_BYTES ||
      typeof x.m !== 'number' ||
      !Number.isFinite(x.m)
    )
      continue;
    if (typeof x.i !== 'number' || !Number.isFinite(x.i) || x.i < 0) continue;
    files.push({ name: name.name, size: x.s as number, mtimeMs: x.m, ino: x.i });
  }
  return files;
}

export const ERROR_PREFIX = '.openab-error/';

/**
 * A writable sink for the tar bytes. `done` resolves once the archive ended and every
 * wanted file was either handed over or reported as an error.
 */
export function tarReader(
  wanted: WantedFile[],
  handlers: TarHandlers,
): { write(chunk: Buffer): boolean; end(): void; pipeFrom(source: Readable): void; done: Promise<void> } {
  const sizes = new Map(wanted.map((w) => [w.name, w.size]));
  const seen = new Set<string>();
  const settled = new Set<string>();
  const report = (name: string, reason: string) => {
    if (settled.has(name)) return;
    settled.add(name);
    handlers.onError(name, reason);
  };
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, source, next) => {
      // streamx's Readable behaves as Node's for what we use (data/end/async iteration).
      const stream = source as unknown as Readable;
      const name = header.name;
      const finish = (err?: unknown) => {
        if (err) stream.resume();
        next();
      };
      if (name === PAGE_ENTRY && handlers.onPage && (header.size ?? 0) <= 1024 * 1024) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const files: PageFile[] = [];
          for (const f of parsePage(Buffer.concat(chunks).toString('utf8'))) {
            if (sizes.has(f.name)) continue;
            sizes.set(f.name, f.size);
            files.push(f);
          }
          handlers.onPage!(files);
          next();
        });
        return;
      }
      if (name.startsWith(ERROR_PREFIX)) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const target = name.slice(ERROR_PREFIX.length);
          seen.add(target);
          report(target, Buffer.concat(chunks).toString('utf8').slice(0, 300));
          next();
        });
        return;
      }
      const expected = sizes.get(name);
      if (expected === undefined || seen.has(name)) {
        stream.resume();
        stream.on('end', () => next());
        return;
      }
      seen.add(name);
      if ((header.size ?? -1) !== expected) {
        report(name, `changed: the pod sent ${header.size} bytes, the listing said ${expected}`);
        stream.resume();
        stream.on('end', () => next());
        return;
      }
      if (handlers.onBytes) {
        // Filled in place as chunks arrive: one copy of the file, no stream in between.
        const bytes = handlers.allocate ? handlers.allocate(expected) : Buffer.allocUnsafe(expected);
        let at = 0;
        stream.on('data', (c: Buffer) => {
          if (at + c.length <= expected) c.copy(bytes, at);
          at += c.length;
        });
        // A cut-off archive errors the entry too; `done` rejects and the file is reported.
        stream.on('error', () => undefined);
        stream.on('end', () => {
          if (at !== expected) {
            report(name, `short: ${at} of ${expected} bytes arrived`);
            return finish();
          }
          Promise.resolve()
            .then(() => handlers.onBytes(name, bytes))
            .then(
              () => settled.add(name),
              (err) => report(name, `failed: ${(err as Error).message}`),
            )
            .finally(() => finish());
        });
        return;
      }
      // Counted on the way through, so the consumer and the check see the same bytes.
      let counted = 0;
      const counter = new PassThrough();
      stream.on('data', (c: Buffer) => {
        counted += c.length;
        if (!counter.write(c)) stream.pause();
      });
      counter.on('drain', () => stream.resume());
      stream.on('end', () => counter.end());
      stream.on('error', (err: Error) => counter.destroy(err));
      handlers
        .onFile(name, counter, expected)
        .then(() => {
          if (counted !== expected) report(name, `short: ${counted} of ${expected} bytes arrived`);
          settled.add(name);
          finish();
        })
        .catch((err) => {
          report(name, `failed: ${(err as Error).message}`);
          finish(err);
        });
    });
    ex.on('finish', () => {
      for (const name of sizes.keys()) report(name, 'missing: the pod did not send this file');
      resolve();
    });
    ex.on('error', (err: Error) => {
      for (const name of sizes.keys()) report(name, `broken transfer: ${err.message}`);
      reject(err);
    });
  });
  return {
    write: (chunk) => ex.write(chunk),
    end: () => void ex.end(undefined as never),
    /** Reads a stream into the archive, pausing it while the handlers catch up. */
    pipeFrom(source: Readable) {
      source.on('data', (chunk: Buffer) => {
        if (!ex.write(chunk)) {
          source.pause();
          ex.once('drain', () => source.resume());
        }
      });
      source.on('end', () => ex.end(undefined as never));
      source.on('error', (err: Error) => ex.destroy(err));
    },
    done,
  };
}
