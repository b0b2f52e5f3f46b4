/**
 * A minimal TOML statement scanner: just enough structure (where each
 * top-level statement and each table header starts and ends, and its key) to
 * edit lines in place. Values are skipped, not interpreted; smol-toml remains
 * the judge of validity, and every edit is verified by re-parsing (config.ts).
 * No I/O; errors carry an offset, never the text.
 */

export type Header = { kind: 'header'; path: string[]; lineStart: number; end: number };
export type KeyValue = {
  kind: 'keyval';
  path: string[];
  /** Before any table header. */
  root: boolean;
  lineStart: number;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
  /** Just after the statement's line ending (or the end of the text). */
  end: number;
};
export type Statement = Header | KeyValue;

export class ScanError extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const SCALAR = /[A-Za-z0-9_+\-.:]+/y;
const TIME_AFTER_SPACE = / [0-9]{2}:[0-9]{2}/y;

export function scanStatements(text: string): Statement[] {
  const n = text.length;
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = bom;
  let root = true;
  const statements: Statement[] = [];

  const fail = (): never => {
    throw new ScanError(`unexpected input at offset ${i}`);
  };
  const skipSpaces = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const skipComment = () => {
    if (text[i] === '#') while (i < n && text[i] !== '\n') i++;
  };
  const skipBlank = () => {
    for (;;) {
      skipSpaces();
      if (text[i] === '#') skipComment();
      else if (text[i] === '\n') i++;
      else if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
      else return;
    }
  };
  const endOfLine = () => {
    skipSpaces();
    skipComment();
    if (i >= n) return;
    if (text[i] === '\n') i++;
    else if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else fail();
  };
  const readBasic = (): string => {
    i++;
    let out = '';
    for (;;) {
      if (i >= n || text[i] === '\n') fail();
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
      if (e in simple) {
        out += simple[e];
        i += 2;
        continue;
      }
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const hex = text.slice(i + 2, i + 2 + width);
      if (width === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) fail();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) fail();
      out += String.fromCodePoint(code);
      i += 2 + width;
    }
  };
  const readLiteral = (): string => {
    const close = text.indexOf("'", i + 1);
    const newline = text.indexOf('\n', i + 1);
    if (close < 0 || (newline >= 0 && newline < close)) fail();
    const out = text.slice(i + 1, close);
    i = close + 1;
    return out;
  };
  const readKey = (): string[] => {
    const path: string[] = [];
    for (;;) {
      skipSpaces();
      if (text[i] === '"') path.push(readBasic());
      else if (text[i] === "'") path.push(readLiteral());
      else {
        BARE_KEY.lastIndex = i;
        const m = BARE_KEY.exec(text);
        if (!m) fail();
        path.push(m![0]);
        i += m![0].length;
      }
      skipSpaces();
      if (text[i] !== '.') return path;
      i++;
    }
  };
  const skipMultiline = (quote: string, escapes: boolean) => {
    i += 3;
    for (;;) {
      if (i >= n) fail();
      if (escapes && text[i] === '\\') {
        i += 2;
        continue;
      }
      if (text.startsWith(quote, i)) {
        i += 3;
        // Up to two quotes right before the closing delimiter belong to the content.
        for (let extra = 0; extra < 2 && text[i] === quote[0]; extra++) i++;
        return;
      }
      i++;
    }
  };
  const skipValue = (depth: number) => {
    if (depth > 200) fail();
    const c = text[i];
    if (text.startsWith('"""', i)) return skipMultiline('"""', true);
    if (text.startsWith("'''", i)) return skipMultiline("'''", false);
    if (c === '"') return void readBasic();
    if (c === "'") return void readLiteral();
    if (c === '[') {
      i++;
      for (;;) {
        skipBlank();
        if (text[i] === ']') {
          i++;
          return;
        }
        skipValue(depth + 1);
        skipBlank();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '{') {
      i++;
      for (;;) {
        skipBlank();
        if (text[i] === '}') {
          i++;
          return;
        }
        readKey();
        if (text[i] !== '=') fail();
        i++;
        skipSpaces();
        skipValue(depth + 1);
        skipBlank();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    SCALAR.lastIndex = i;
    const m = SCALAR.exec(text);
    if (!m) fail();
    i += m![0].length;
    // A local date followed by a space and a time is one date-time value.
    if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(m![0])) {
      TIME_AFTER_SPACE.lastIndex = i;
      if (TIME_AFTER_SPACE.test(text)) {
        i++;
        SCALAR.lastIndex = i;
        i += SCALAR.exec(text)![0].length;
      }
    }
  };

  for (;;) {
    skipBlank();
    if (i >= n) break;
    const lineStart = Math.max(bom, text.lastIndexOf('\n', i - 1) + 1);
    if (text[i] === '[') {
      const isArray = text[i + 1] === '[';
      i += isArray ? 2 : 1;
      const path = readKey();
      if (text[i] !== ']' || (isArray && text[i + 1] !== ']')) fail();
      i += isArray ? 2 : 1;
      endOfLine();
      statements.push({ kind: 'header', path, lineStart, end: i });
      root = false;
    } else {
      const keyStart = i;
      const path = readKey();
      if (text[i] !== '=') fail();
      i++;
      skipSpaces();
      const valueStart = i;
      skipValue(0);
      const valueEnd = i;
      endOfLine();
      statements.push({ kind: 'keyval', path, root, lineStart, keyStart, valueStart, valueEnd, end: i });
    }
  }
  return statements;
}

/** A replacement of text[start, end) by `text`; offsets are the scanned text's. */
export type Edit = { start: number; end: number; text: string };

export function applyEdits(text: string, edits: Edit[]): string {
  // Right to left so offsets stay valid; at one offset, a removal goes before
  // an insertion, so the insertion is not removed with it.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const edit of sorted) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

export function overlapping(edits: Edit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].start < sorted[k - 1].end) return true;
  }
  return false;
}
