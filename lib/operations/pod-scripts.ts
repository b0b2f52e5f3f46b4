// What config-read (lib/pod/programs/config-read.sh) answers, read from its frames.
import { headWords, reachedEnd, type Frame } from '../pod/frames';

export interface ConfigRead {
  codexHome: string;
  state: 'present' | 'missing' | 'symlink' | 'unreadable' | 'toolarge';
  /** sha256 of the bytes, or "missing" (what the compare-and-swap expects). */
  hash: string;
  bytes: Buffer;
}

/** null when the program did not get to its end or said something else. */
export function parseConfigRead(frames: Frame[]): ConfigRead | null {
  const home = frames.find((f) => f.head === 'home');
  const config = frames.find((f) => f.head.startsWith('config '));
  if (!home || !config || !reachedEnd(frames)) return null;
  const codexHome = home.body.toString('utf8');
  const [, s, size] = headWords(config);
  if (s === 'missing') return { codexHome, state: 'missing', hash: 'missing', bytes: Buffer.alloc(0) };
  if (s === 'symlink' || s === 'unreadable' || s === 'toolarge') return { codexHome, state: s, hash: '', bytes: Buffer.alloc(0) };
  if (!/^[0-9a-f]{64}$/.test(s ?? '') || config.body.length !== Number(size)) return null;
  return { codexHome, state: 'present', hash: s, bytes: config.body };
}
