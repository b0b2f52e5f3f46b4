// A seeded generator so every build of the demo fleet holds the same ids, names and
// outcomes: tests and screenshots can rely on them, only times move with the clock.

export interface Rng {
  next(): number;
  int(min: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  hex(length: number): string;
  digits(length: number): string;
  alnum(length: number): string;
  uuid(): string;
  /** A UUIDv7 for a given time, as Codex names its threads. */
  uuidV7(atMs: number): string;
}

export function createRng(seed: string): Rng {
  let state = hashString(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, maxInclusive: number) => min + Math.floor(next() * (maxInclusive - min + 1));
  const fromAlphabet = (alphabet: string, length: number) => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
  const hex = (length: number) => fromAlphabet('0123456789abcdef', length);
  return {
    next,
    int,
    pick: (items) => items[Math.floor(next() * items.length)],
    hex,
    digits: (length) => fromAlphabet('0123456789', length),
    alnum: (length) => fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', length),
    uuid: () => {
      const h = hex(32);
      const variant = '89ab'[Math.floor(next() * 4)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    uuidV7: (atMs) => {
      const ts = Math.max(0, Math.floor(atMs)).toString(16).padStart(12, '0').slice(-12);
      const h = hex(20);
      const variant = '89ab'[Math.floor(next() * 4)];
      return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${h.slice(0, 3)}-${variant}${h.slice(3, 6)}-${h.slice(6, 18)}`;
    },
  };
}

export function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
