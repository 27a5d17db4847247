/**
 * Kubernetes label and field selectors as predicates over API objects, with the API server's semantics: label
 * requirements `a=b`, `a==b`, `a!=b` (also true without the label), `a in (x,y)`, `a notin (x,y)`, `a`, `!a`;
 * field requirements `f=v`, `f==v`, `f!=v` on the fields the API server can select by. Pure; the simulated API
 * server filters with them.
 */

export interface SelectableObject {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly labels?: unknown };
  readonly [field: string]: unknown;
}

export type ObjectPredicate = (object: SelectableObject) => boolean;

export class SelectorError extends Error {}

const LABEL_KEY = '(?<key>(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)';
const LABEL_VALUE = '(?<value>(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?)';
const EXISTS = new RegExp(String.raw`^(?<not>!?)\s*${LABEL_KEY}$`);
const EQUALS = new RegExp(String.raw`^${LABEL_KEY}\s*(?<operator>==|=|!=)\s*${LABEL_VALUE}$`);
const IN_SET = new RegExp(String.raw`^${LABEL_KEY}\s+(?<operator>in|notin)\s+\((?<values>[^()]*)\)$`);

/** Fields every kind can be selected by, plus the pod fields most used for scoping (as kube-apiserver allows them). */
const SELECTABLE_FIELDS: ReadonlySet<string> = new Set([
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'status.phase',
]);

export function labelSelector(text: string): ObjectPredicate {
  return all(terms(text).map(labelRequirement));
}

export function fieldSelector(text: string): ObjectPredicate {
  return all(terms(text).map(fieldRequirement));
}

function all(requirements: readonly ObjectPredicate[]): ObjectPredicate {
  return (object) => requirements.every((requirement) => requirement(object));
}

/** Comma-separated terms; commas inside `(...)` belong to a set. */
function terms(text: string): string[] {
  return (text.match(/(?:[^,(]|\([^)]*\))+/g) ?? []).map((term) => term.trim()).filter((term) => term !== '');
}

function labelsOf(object: SelectableObject): Readonly<Record<string, unknown>> {
  const labels = object.metadata?.labels;
  return labels !== null && typeof labels === 'object' ? (labels as Record<string, unknown>) : {};
}

function labelRequirement(term: string): ObjectPredicate {
  const exists = EXISTS.exec(term)?.groups;
  if (exists) {
    const { not, key } = exists;
    return (object) => Object.hasOwn(labelsOf(object), key) !== (not === '!');
  }
  const equals = EQUALS.exec(term)?.groups;
  if (equals) {
    const { key, operator, value } = equals;
    return operator === '!='
      ? (object) => labelsOf(object)[key] !== value
      : (object) => labelsOf(object)[key] === value;
  }
  const inSet = IN_SET.exec(term)?.groups;
  if (inSet) {
    const { key, operator } = inSet;
    const values = new Set(inSet.values.split(',').map((value) => value.trim()));
    const has = (object: SelectableObject) => {
      const value = labelsOf(object)[key];
      return typeof value === 'string' && values.has(value);
    };
    return operator === 'in' ? has : (object) => !has(object);
  }
  throw new SelectorError(`unable to parse requirement: ${term}`);
}

function fieldRequirement(term: string): ObjectPredicate {
  // The value's leading blanks are trimmed after the match, not matched by `\s*` before `[^=!]*`: the two overlap, and
  // backtracked quadratically over a long run of blanks followed by `!` or `=`.
  const match = /^([A-Za-z.]+)\s*(==|=|!=)([^=!]*)$/.exec(term);
  if (!match) throw new SelectorError(`invalid field selector: ${term}`);
  const [, field, operator, untrimmed] = match;
  const value = untrimmed.trimStart();
  if (!SELECTABLE_FIELDS.has(field)) throw new SelectorError(`field label not supported: ${field}`);
  const read = (object: SelectableObject) => {
    const found = field
      .split('.')
      .reduce<unknown>(
        (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
        object,
      );
    return typeof found === 'string' ? found : '';
  };
  return operator === '!=' ? (object) => read(object) !== value : (object) => read(object) === value;
}
