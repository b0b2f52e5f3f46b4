// Pod-template hashes and name suffixes the way the deployment controller makes them.
import { randomInt } from 'node:crypto';

/** k8s.io/apimachinery/pkg/util/rand's alphabet: no vowels, no confusable digits. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(text, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString(fmt.Sprint(fnv32a(template))), as ComputeHash does. */
export function podTemplateHash(template: unknown): string {
  const decimal = String(fnv32a(stableStringify(template)));
  let out = '';
  for (const ch of decimal) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

export function randomSuffix(n = 5): string {
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return out;
}
