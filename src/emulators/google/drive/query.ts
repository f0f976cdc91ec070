/**
 * The subset of Drive's search grammar (developers.google.com/workspace/drive/api/guides/ref-search-terms)
 * our clients use: name, mimeType, trashed, parents, appProperties/properties has, and/or/not,
 * parentheses. Anything else is a syntax error, answered by Drive as 400 "Invalid Value" on q.
 */
export type Query =
  | { kind: 'and' | 'or'; operands: Query[] }
  | { kind: 'not'; operand: Query }
  | { kind: 'inParents'; parentId: string }
  | { kind: 'compare'; field: 'name' | 'mimeType'; op: '=' | '!=' | 'contains'; value: string }
  | { kind: 'trashed'; op: '=' | '!='; value: boolean }
  | { kind: 'has'; field: 'appProperties' | 'properties'; key: string; value: string };

export class QuerySyntaxError extends Error {}

type Token = { type: 'string'; value: string; at: number } | { type: 'word' | 'symbol'; value: string; at: number };

const SYMBOLS = ['!=', '<=', '>=', '=', '<', '>', '(', ')', '{', '}'];

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= q.length) throw new QuerySyntaxError(`unterminated string at ${start}`);
        const d = q[i]!;
        if (d === "'") break;
        if (d === '\\') {
          // Drive: escape ' as \' ; "Escaping the backslash isn't documented but seems to work": \\.
          const next = q[i + 1];
          if (next !== "'" && next !== '\\') throw new QuerySyntaxError(`invalid escape at ${i}`);
          value += next;
          i += 2;
        } else {
          value += d;
          i += 1;
        }
      }
      tokens.push({ type: 'string', value, at: start });
      i += 1;
    } else if (/[A-Za-z]/.test(c)) {
      const word = /^[A-Za-z]+/.exec(q.slice(i))![0];
      tokens.push({ type: 'word', value: word, at: i });
      i += word.length;
    } else {
      const symbol = SYMBOLS.find((s) => q.startsWith(s, i));
      if (!symbol) throw new QuerySyntaxError(`unexpected '${c}' at ${i}`);
      tokens.push({ type: 'symbol', value: symbol, at: i });
      i += symbol.length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Query {
    if (this.tokens.length === 0) throw new QuerySyntaxError('empty query');
    const query = this.or();
    const extra = this.tokens[this.pos];
    if (extra) throw new QuerySyntaxError(`unexpected '${extra.value}' at ${extra.at}`);
    return query;
  }

  private or(): Query {
    const operands = [this.and()];
    while (this.acceptWord('or')) operands.push(this.and());
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private and(): Query {
    const operands = [this.unary()];
    while (this.acceptWord('and')) operands.push(this.unary());
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private unary(): Query {
    if (this.acceptWord('not')) return { kind: 'not', operand: this.unary() };
    if (this.acceptSymbol('(')) {
      const inner = this.or();
      this.expectSymbol(')');
      return inner;
    }
    return this.term();
  }

  private term(): Query {
    const token = this.next('a search term');
    if (token.type === 'string') {
      this.expectWord('in');
      this.expectWord('parents');
      return { kind: 'inParents', parentId: token.value };
    }
    if (token.type === 'word' && (token.value === 'name' || token.value === 'mimeType')) {
      const op = this.next('an operator');
      if (!(op.type === 'symbol' && (op.value === '=' || op.value === '!=')) && !(op.type === 'word' && op.value === 'contains')) {
        throw new QuerySyntaxError(`unsupported operator '${op.value}' for ${token.value} at ${op.at}`);
      }
      return { kind: 'compare', field: token.value, op: op.value as '=' | '!=' | 'contains', value: this.string() };
    }
    if (token.type === 'word' && token.value === 'trashed') {
      const op = this.next('an operator');
      if (op.type !== 'symbol' || (op.value !== '=' && op.value !== '!=')) {
        throw new QuerySyntaxError(`unsupported operator '${op.value}' for trashed at ${op.at}`);
      }
      const value = this.next('true or false');
      if (value.type !== 'word' || (value.value !== 'true' && value.value !== 'false')) {
        throw new QuerySyntaxError(`expected true or false at ${value.at}`);
      }
      return { kind: 'trashed', op: op.value, value: value.value === 'true' };
    }
    if (token.type === 'word' && (token.value === 'appProperties' || token.value === 'properties')) {
      this.expectWord('has');
      this.expectSymbol('{');
      this.expectWord('key');
      this.expectSymbol('=');
      const key = this.string();
      this.expectWord('and');
      this.expectWord('value');
      this.expectSymbol('=');
      const value = this.string();
      this.expectSymbol('}');
      return { kind: 'has', field: token.value, key, value };
    }
    throw new QuerySyntaxError(`unsupported term '${token.value}' at ${token.at}`);
  }

  private next(expected: string): Token {
    const token = this.tokens[this.pos];
    if (!token) throw new QuerySyntaxError(`expected ${expected} at end of query`);
    this.pos += 1;
    return token;
  }

  private string(): string {
    const token = this.next('a quoted string');
    if (token.type !== 'string') throw new QuerySyntaxError(`expected a quoted string at ${token.at}`);
    return token.value;
  }

  private acceptWord(word: string): boolean {
    const token = this.tokens[this.pos];
    if (token?.type !== 'word' || token.value !== word) return false;
    this.pos += 1;
    return true;
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.tokens[this.pos];
    if (token?.type !== 'symbol' || token.value !== symbol) return false;
    this.pos += 1;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) throw new QuerySyntaxError(`expected '${word}'`);
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw new QuerySyntaxError(`expected '${symbol}'`);
  }
}

export function parseQuery(q: string): Query {
  return new Parser(tokenize(q)).parse();
}

export interface Queryable {
  name: string;
  mimeType: string;
  /** Effective: true also when an ancestor folder is trashed. */
  trashed: boolean;
  parents: readonly string[];
  appProperties: Readonly<Record<string, string>>;
  properties: Readonly<Record<string, string>>;
}

/**
 * "The contains operator only performs prefix matching for a name term. For example, suppose you
 * have a name of HelloWorld. A query of name contains 'Hello' returns a result, but a query of
 * name contains 'World' doesn't." We match prefixes of the name and of each word in it, ignoring case.
 */
function nameContains(name: string, value: string): boolean {
  const haystack = name.toLowerCase();
  const needle = value.toLowerCase();
  for (let i = 0; i < haystack.length; i += 1) {
    const atWordStart = i === 0 || !/[\p{L}\p{N}]/u.test(haystack[i - 1]!);
    if (atWordStart && haystack.startsWith(needle, i)) return true;
  }
  return needle === '';
}

/** `rootId` resolves the 'root' alias in `'root' in parents`. */
export function matches(query: Query, item: Queryable, rootId: string): boolean {
  switch (query.kind) {
    case 'and':
      return query.operands.every((q) => matches(q, item, rootId));
    case 'or':
      return query.operands.some((q) => matches(q, item, rootId));
    case 'not':
      return !matches(query.operand, item, rootId);
    case 'inParents':
      return item.parents.includes(query.parentId === 'root' ? rootId : query.parentId);
    case 'trashed':
      return (item.trashed === query.value) === (query.op === '=');
    case 'has':
      return item[query.field][query.key] === query.value;
    case 'compare': {
      const actual = item[query.field];
      if (query.op === '=') return actual === query.value;
      if (query.op === '!=') return actual !== query.value;
      return query.field === 'name' ? nameContains(actual, query.value) : actual.includes(query.value);
    }
  }
}
