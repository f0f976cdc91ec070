/**
 * Partial responses (developers.google.com/workspace/drive/api/guides/fields-parameter):
 * `id,name`, `files(id,name),nextPageToken`, `files/id`, `*`. Selecting a field the resource
 * does not have is an error, as on Drive ("Invalid field selection foo").
 */

/** field name → sub-selection, or null for the whole value. */
export type Selection = Map<string, Selection | null>;

/** A resource's field names; a nested Schema describes an object (or array of objects) field. */
export interface Schema {
  [field: string]: Schema | 'value';
}

export class FieldSelectionError extends Error {
  constructor(readonly field: string) {
    super(`Invalid field selection ${field}`);
  }
}

export function parseFields(expr: string): Selection {
  let pos = 0;

  function list(): Selection {
    const selection: Selection = new Map();
    for (;;) {
      item(selection);
      skipSpaces();
      if (expr[pos] !== ',') return selection;
      pos += 1;
    }
  }

  function item(into: Selection): void {
    const path = [name()];
    while (expr[pos] === '/') {
      pos += 1;
      path.push(name());
    }
    skipSpaces();
    let leaf: Selection | null = null;
    if (expr[pos] === '(') {
      pos += 1;
      leaf = list();
      if (expr[pos] !== ')') throw new FieldSelectionError(expr);
      pos += 1;
    }
    let target = into;
    for (const [index, segment] of path.entries()) {
      const isLast = index === path.length - 1;
      target.set(segment, merge(target.get(segment), isLast ? leaf : new Map()));
      const next = target.get(segment);
      // Already selected whole: a deeper path adds nothing.
      if (!next) break;
      target = next;
    }
  }

  function name(): string {
    skipSpaces();
    const match = /^(\*|[A-Za-z0-9_]+)/.exec(expr.slice(pos));
    if (!match) throw new FieldSelectionError(expr);
    pos += match[0].length;
    return match[0];
  }

  function skipSpaces(): void {
    while (expr[pos] === ' ') pos += 1;
  }

  const selection = list();
  if (pos !== expr.length) throw new FieldSelectionError(expr);
  return selection;
}

/** Whole-value selection wins over a partial one; two partial ones merge. */
function merge(a: Selection | null | undefined, b: Selection | null): Selection | null {
  if (a === undefined) return b;
  if (a === null || b === null) return null;
  for (const [key, value] of b) a.set(key, merge(a.get(key), value));
  return a;
}

/** Rejects names the schema does not know, wherever they are nested. */
export function checkSelection(selection: Selection, schema: Schema): void {
  for (const [field, sub] of selection) {
    if (field === '*') continue;
    const fieldSchema = schema[field];
    if (fieldSchema === undefined) throw new FieldSelectionError(field);
    if (sub && fieldSchema !== 'value') checkSelection(sub, fieldSchema);
  }
}

export function project(value: Record<string, unknown>, selection: Selection, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, sub] of selection) {
    if (field === '*') {
      Object.assign(out, value);
      continue;
    }
    const fieldSchema = schema[field];
    if (fieldSchema === undefined) throw new FieldSelectionError(field);
    const fieldValue = value[field];
    if (fieldValue === undefined) continue;
    out[field] = sub === null ? fieldValue : projectNested(fieldValue, sub, fieldSchema);
  }
  return out;
}

function projectNested(value: unknown, selection: Selection, schema: Schema | 'value'): unknown {
  if (Array.isArray(value)) return value.map((element) => projectNested(element, selection, schema));
  if (typeof value !== 'object' || value === null) throw new FieldSelectionError([...selection.keys()].join(','));
  const record = value as Record<string, unknown>;
  if (schema !== 'value') return project(record, selection, schema);
  // Free-form maps such as appProperties: `appProperties/galleryId` picks one key; absent keys are no error.
  return Object.fromEntries([...selection.keys()].filter((key) => key in record).map((key) => [key, record[key]]));
}
