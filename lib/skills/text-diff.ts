// A unified diff of two small texts (skill files), shown before a hand-changed skill is replaced.

export interface DiffLine {
  kind: ' ' | '-' | '+';
  text: string;
}

/** Line differences by longest common subsequence; inputs beyond maxLines are compared as one block. */
export function diffLines(a: string, b: string, maxLines = 3000): DiffLine[] {
  const x = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const y = b === '' ? [] : b.replace(/\n$/, '').split('\n');
  if (x.length > maxLines || y.length > maxLines) {
    return [...x.map((text) => ({ kind: '-' as const, text })), ...y.map((text) => ({ kind: '+' as const, text }))];
  }
  const n = x.length;
  const m = y.length;
  // lcs[i][j] = length of the common subsequence of x[i..] and y[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ kind: ' ', text: x[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ kind: '-', text: x[i++] });
    else out.push({ kind: '+', text: y[j++] });
  }
  while (i < n) out.push({ kind: '-', text: x[i++] });
  while (j < m) out.push({ kind: '+', text: y[j++] });
  return out;
}

/** `diff -u` style text with `context` unchanged lines around each change; '' when equal. */
export function unifiedDiff(a: string, b: string, labels: { from: string; to: string }, context = 3): string {
  const lines = diffLines(a, b);
  if (lines.every((l) => l.kind === ' ')) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let k = 0;
  while (k < lines.length) {
    if (lines[k].kind === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are closer than 2*context lines apart.
    for (let q = k; q < lines.length; q++) {
      if (lines[q].kind !== ' ') end = q;
      else if (q - end > 2 * context) break;
    }
    const stop = Math.min(lines.length, end + context + 1);
    const before = lines.slice(0, start);
    const oldStart = before.filter((l) => l.kind !== '+').length + 1;
    const newStart = before.filter((l) => l.kind !== '-').length + 1;
    const hunk = lines.slice(start, stop);
    out.push(`@@ -${oldStart},${hunk.filter((l) => l.kind !== '+').length} +${newStart},${hunk.filter((l) => l.kind !== '-').length} @@`);
    for (const l of hunk) out.push(`${l.kind}${l.text}`);
    k = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}
