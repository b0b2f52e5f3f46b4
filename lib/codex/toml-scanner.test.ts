import { describe, expect, it } from 'vitest';
import { applyEdits, overlapping, scanStatements, ScanError, type Statement } from './toml-scanner';

const slice = (text: string, s: Statement) => text.slice(s.lineStart, s.end);

describe('scanStatements', () => {
  const text =
    '\ufeff# head\r\nmodel = "o3" # c\r\napproval_policy.granular = { a = true }\r\ns = """x\n[fake]\ny = 1"""\n[sandbox]\nmode = "a=b#c"\n[[mcp.servers]]\nname = \'x\'\n';
  const statements = scanStatements(text);

  it('finds each top-level statement and table header, with its key path', () => {
    expect(statements.map((s) => `${s.kind}:${s.path.join('.')}${s.kind === 'keyval' && s.root ? ' (root)' : ''}`)).toEqual([
      'keyval:model (root)',
      'keyval:approval_policy.granular (root)',
      'keyval:s (root)',
      'header:sandbox',
      'keyval:mode',
      'header:mcp.servers',
      'keyval:name',
    ]);
  });

  it('spans whole lines, their CRLF and trailing comment included, after a BOM', () => {
    expect(slice(text, statements[0])).toBe('model = "o3" # c\r\n');
    const model = statements[0];
    expect(model.kind === 'keyval' && text.slice(model.valueStart, model.valueEnd)).toBe('"o3"');
    expect(slice(text, statements[3])).toBe('[sandbox]\n');
  });

  it('skips values without reading them: a header or "=" inside a string is not a statement', () => {
    expect(slice(text, statements[2])).toBe('s = """x\n[fake]\ny = 1"""\n');
    const mode = statements[4];
    expect(mode.kind === 'keyval' && text.slice(mode.valueStart, mode.valueEnd)).toBe('"a=b#c"');
  });

  it('refuses input it does not understand by offset, never quoting it', () => {
    expect(() => scanStatements('a = @secret')).toThrow(ScanError);
    expect(() => scanStatements('a = @secret')).toThrow(/^unexpected input at offset 4$/);
  });

  it('reads an empty text as no statements', () => {
    expect(scanStatements('')).toEqual([]);
  });
});

describe('applyEdits', () => {
  it('applies right to left, a removal before an insertion at the same offset', () => {
    expect(
      applyEdits('abcdef', [
        { start: 1, end: 3, text: 'X' },
        { start: 3, end: 3, text: 'Y' },
        { start: 3, end: 4, text: '' },
      ]),
    ).toBe('aXYef');
  });

  it('tells overlapping edits from adjacent ones', () => {
    expect(
      overlapping([
        { start: 0, end: 2, text: '' },
        { start: 1, end: 3, text: '' },
      ]),
    ).toBe(true);
    expect(
      overlapping([
        { start: 0, end: 2, text: '' },
        { start: 2, end: 3, text: '' },
      ]),
    ).toBe(false);
  });
});
