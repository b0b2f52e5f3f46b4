/**
 * Does a label set match a Kubernetes label selector string? Equality terms
 * (`k=v`, `k==v`, `k!=v`), existence (`k`, `!k`) and set terms (`k in (a,b)`,
 * `k notin (a,b)`), as the setting may hold them.
 */
export function selectorMatches(selector: string, labels: Record<string, string>): boolean {
  const terms = selector.match(/[^,(]+(?:\([^)]*\))?/g) ?? [];
  return terms
    .map((t) => t.trim())
    .filter(Boolean)
    .every((term) => {
      const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
      if (set) {
        const values = set[3].split(',').map((v) => v.trim());
        const has = set[1] in labels && values.includes(labels[set[1]]);
        return set[2] === 'in' ? has : !has;
      }
      const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (eq) return eq[2] === '!=' ? labels[eq[1]] !== eq[3] : labels[eq[1]] === eq[3];
      if (term.startsWith('!')) return !(term.slice(1).trim() in labels);
      return term in labels;
    });
}
