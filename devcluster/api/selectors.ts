// Label and field selectors with the grammar kube-apiserver accepts.
import { badRequest } from './status';

// A port of k8s.io/apimachinery/pkg/labels (lexer, parser, validation, Requirement.Matches):
// the dev cluster answers a selector the way kube-apiserver does, refusals included. The
// dashboard has its own copy (lib/k8s/label-selector.ts); the dev cluster imports nothing of it.
type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

class LabelSelectorError extends Error {}

// Label keys: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INT64_MAX = 2n ** 63n - 1n;
/** What Go's strconv.ParseInt(s, 10, 64) accepts. */
function isInt64(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n <= INT64_MAX && n >= -INT64_MAX - 1n;
}

export function labelKeyProblem(key: string): string | null {
  const slash = key.split('/');
  if (slash.length > 2) return `invalid label key "${key}": a key has at most one "/"`;
  const [prefix, name] = slash.length === 2 ? slash : [null, slash[0]];
  if (prefix !== null) {
    if (prefix.length === 0) return `invalid label key "${key}": the prefix before "/" is empty`;
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))
      return `invalid label key "${key}": the prefix must be a lower-case DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `invalid label key "${key}": the name must be 63 characters or less, begin and end with a letter or digit, and hold only letters, digits, '-', '_' and '.'`;
  }
  return null;
}

export function labelValueProblem(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !NAME.test(value))
    return `invalid label value "${value}": it must be 63 characters or less, begin and end with a letter or digit, and hold only letters, digits, '-', '_' and '.'`;
  return null;
}

type TokenKind = 'id' | 'in' | 'notin' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS: TokenKind[] = ['==', '!=', '=', '!', '(', ')', ',', '>', '<'];

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (WHITESPACE.has(ch)) {
      i++;
    } else if (SPECIAL.has(ch)) {
      const sym = SYMBOLS.find((s) => text.startsWith(s, i))!;
      tokens.push({ kind: sym, text: sym });
      i += sym.length;
    } else {
      let j = i;
      while (j < text.length && !WHITESPACE.has(text[j]) && !SPECIAL.has(text[j])) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'id', text: word });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: 'end of string' });
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  /** Where a value is expected, the words `in` and `notin` are plain identifiers. */
  private peek(asValue = true): Token {
    const t = this.tokens[this.at];
    return asValue && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'id', text: t.text } : t;
  }
  private next(asValue = true): Token {
    const t = this.peek(asValue);
    if (t.kind !== 'end') this.at++;
    return t;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'end') return requirements;
      if (t.kind !== 'id' && t.kind !== '!') throw new LabelSelectorError(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      requirements.push(this.requirement());
      const after = this.next();
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') throw new LabelSelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.kind !== 'id' && following.kind !== '!')
        throw new LabelSelectorError(`found '${following.text}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    let unary: Operator | null = null;
    if (t.kind === '!') {
      unary = '!';
      t = this.next();
    }
    if (t.kind !== 'id') throw new LabelSelectorError(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) throw new LabelSelectorError(keyProblem);
    const following = this.peek().kind;
    if (unary || following === 'end' || following === ',') return requirement(key, unary ?? 'exists', []);
    const op = this.next(false);
    switch (op.kind) {
      case 'in':
      case 'notin':
        return requirement(key, op.kind, this.valueSet());
      case '=':
      case '==':
      case '!=':
        return requirement(key, op.kind, this.exactValue());
      case '>':
      case '<':
        return requirement(key, op.kind === '>' ? 'gt' : 'lt', this.exactValue());
      default:
        throw new LabelSelectorError(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private exactValue(): string[] {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return [''];
    this.next();
    if (t.kind !== 'id') throw new LabelSelectorError(`found '${t.text}', expected: identifier`);
    return [t.text];
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new LabelSelectorError(`found '${open.text}' expected: '('`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (first.kind !== 'id' && first.kind !== ',') throw new LabelSelectorError(`found '${first.text}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'id') {
        values.push(t.text);
        const after = this.peek();
        if (after.kind === ',') continue;
        if (after.kind === ')') break;
        throw new LabelSelectorError(`found '${after.text}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        // `(,a)`, `(a,,b)` and `(a,)` hold the empty value, as the API server reads them.
        if (values.length === 0) values.push('');
        const after = this.peek();
        if (after.kind === ')') {
          values.push('');
          break;
        }
        if (after.kind === ',') {
          this.next();
          values.push('');
        }
      } else {
        throw new LabelSelectorError(`found '${t.text}', expected: ',', or identifier`);
      }
    }
    const close = this.next();
    if (close.kind !== ')') throw new LabelSelectorError(`found '${close.text}', expected: ')'`);
    return values;
  }
}

function requirement(key: string, operator: Operator, raw: string[]): Requirement {
  const values = [...new Set(raw)].sort();
  if ((operator === 'in' || operator === 'notin') && values.length === 0)
    throw new LabelSelectorError(`for 'in', 'notin' operators, values set can't be empty`);
  if ((operator === 'gt' || operator === 'lt') && (values.length !== 1 || !isInt64(values[0])))
    throw new LabelSelectorError(`for 'gt', 'lt' operators, the value must be one integer`);
  for (const v of values) {
    const problem = labelValueProblem(v);
    if (problem) throw new LabelSelectorError(problem);
  }
  return { key, operator, values };
}

function matches({ key, operator, values }: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  const value = has ? labels[key] : undefined;
  switch (operator) {
    case '=':
    case '==':
    case 'in':
      return has && values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isInt64(value!)) return false;
      const [mine, theirs] = [BigInt(value!), BigInt(values[0])];
      return operator === 'gt' ? mine > theirs : mine < theirs;
    }
  }
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text) return () => true;
  let reqs: Requirement[];
  try {
    reqs = new Parser(lex(text)).parse();
  } catch (err) {
    if (err instanceof LabelSelectorError) throw badRequest(`unable to parse requirement: ${err.message} in selector "${text}"`);
    throw err;
  }
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

/** matchLabels + matchExpressions of a LabelSelector object (Deployment spec.selector). */
export function selectorFromObject(
  sel: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined,
): LabelSelector {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  const operators: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  for (const e of sel?.matchExpressions ?? []) {
    const operator = operators[e.operator];
    if (!operator) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

export type FieldSelector = (obj: Record<string, any>) => boolean;

const FIELD_GETTERS: Record<string, (o: Record<string, any>) => string | undefined> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
  'status.phase': (o) => o.status?.phase,
  'spec.nodeName': (o) => o.spec?.nodeName,
  'spec.restartPolicy': (o) => o.spec?.restartPolicy,
  'spec.schedulerName': (o) => o.spec?.schedulerName,
  'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
  'status.podIP': (o) => o.status?.podIP,
  'involvedObject.name': (o) => o.involvedObject?.name,
  'involvedObject.kind': (o) => o.involvedObject?.kind,
  'involvedObject.namespace': (o) => o.involvedObject?.namespace,
  'involvedObject.uid': (o) => o.involvedObject?.uid,
  type: (o) => o.type,
  reason: (o) => o.reason,
};

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldSelector {
  if (!text || !text.trim()) return () => true;
  const reqs = text.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const getter = FIELD_GETTERS[m[1]];
    if (!getter) throw badRequest(`"${m[1]}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    return { getter, neq: m[2] === '!=', value: m[3] };
  });
  void kind;
  return (obj) => reqs.every((r) => ((r.getter(obj) ?? '') === r.value) !== r.neq);
}
