/**
 * Object → samples. Pure: the whole naming and labelling contract of the exporter lives here (README "Naming").
 *
 * - Metric name: `k8s_<kind>_<path>`, the JSON keys from the object root joined by `_`, API camelCase kept,
 *   characters outside [a-zA-Z0-9_] replaced by `_`.
 * - Labels: `name`, `namespace` (only for namespaced objects), then one label per list the path goes through.
 * - Values: numbers as they are, booleans 1/0, quantities under resource maps in base units, RFC 3339 timestamps
 *   as unix seconds, condition statuses True/False/Unknown as 1/0/-1. Other strings and nulls are skipped.
 */

import { parseQuantity } from './quantity.js';
import { renderLabels } from './store.js';
import { NEVER_KEPT_KEYS } from './trim.js';

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

export interface Sample {
  /** Metric (family) name. */
  readonly name: string;
  /** The field path the family comes from, lists as `[]`: `spec.containers[].ports[].containerPort`. */
  readonly path: string;
  /** HELP text for a family that is not a field's value; else the HELP names the path. */
  readonly help?: string;
  readonly labels: Labels;
  /** The labels as exposition text, `{name="value",...}`: rendered once per object or list element, not per sample. */
  readonly labelText: string;
  readonly value: number;
}

export interface ObjectIdentity {
  readonly name: string;
  /** Undefined for cluster-scoped objects: they get no namespace label rather than an empty one. */
  readonly namespace?: string;
}

/** Keys never walked, wherever they appear: those never kept at all, plus label maps and owner references (noise). */
const SKIPPED_KEYS = new Set([...NEVER_KEPT_KEYS, 'labels', 'ownerReferences']);

/** Maps whose string values are resource quantities. */
const QUANTITY_MAPS = new Set(['capacity', 'allocatable', 'requests', 'limits', 'overhead', 'allocatedResources', 'hard', 'used']);

/** Keys that identify a list element, in order of preference. */
const NATURAL_KEYS = ['name', 'type'];

/** Label names for lists whose singular would read badly or that users join on (kube-state-metrics' `container`). */
const LIST_LABELS: ReadonlyMap<string, string> = new Map([
  ['containers', 'container'],
  ['initContainers', 'container'],
  ['ephemeralContainers', 'container'],
  ['containerStatuses', 'container'],
  ['initContainerStatuses', 'container'],
  ['ephemeralContainerStatuses', 'container'],
  ['conditions', 'condition'],
]);

const CONDITION_STATUS: ReadonlyMap<string, number> = new Map([['True', 1], ['False', 0], ['Unknown', -1]]);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

interface Walk {
  readonly samples: Sample[];
  /** The field that first emitted each metric name. */
  readonly fieldOfName: Map<string, Field>;
  /** Label sets emitted under names that more than one field maps to (sanitising collisions). */
  readonly contested: Map<string, Set<string>>;
}

/**
 * A field's metric name and path. The same fields recur in every object of a kind, so each is named once, in a trie
 * per metric prefix, and its interned strings reused (cheap to hash as Map keys downstream). Bounded: objects with
 * endless distinct keys get fresh, unremembered names once the trie is full.
 */
interface Field {
  readonly metricName: string;
  readonly path: string;
  readonly children: Map<string, Field>;
  element?: Field;
}

const MAX_REMEMBERED_FIELDS = 100_000;
const fieldTries = new Map<string, Field>();
let rememberedFields = 0;

function newField(metricName: string, path: string): Field {
  return { metricName, path, children: new Map() };
}

function childField(parent: Field, key: string): Field {
  let child = parent.children.get(key);
  if (child === undefined) {
    child = newField(`${parent.metricName}_${sanitizeName(key)}`, parent.path ? `${parent.path}.${key}` : key);
    if (rememberedFields < MAX_REMEMBERED_FIELDS) {
      parent.children.set(key, child);
      rememberedFields++;
    }
  }
  return child;
}

function elementField(list: Field): Field {
  let element = list.element;
  if (element === undefined) {
    element = newField(list.metricName, `${list.path}[]`);
    if (rememberedFields < MAX_REMEMBERED_FIELDS) {
      list.element = element;
      rememberedFields++;
    }
  }
  return element;
}

interface Position {
  readonly field: Field;
  readonly labels: Labels;
  readonly labelText: string;
  /** The key this value sits under, and the key of the map or list that holds it. */
  readonly key: string;
  readonly parentKey: string;
}

export function flatten(metricPrefix: string, identity: ObjectIdentity, object: unknown): Sample[] {
  const labels: [string, string][] = [['name', identity.name]];
  if (identity.namespace !== undefined) labels.push(['namespace', identity.namespace]);
  const walk: Walk = { samples: [], fieldOfName: new Map(), contested: new Map() };
  let rootField = fieldTries.get(metricPrefix);
  if (rootField === undefined) {
    rootField = newField(metricPrefix, '');
    fieldTries.set(metricPrefix, rootField);
  }
  const root: Position = { field: rootField, labels, labelText: renderLabels(labels), key: '', parentKey: '' };
  visit(walk, root, object);
  return walk.samples;
}

function visit(walk: Walk, at: Position, value: unknown): void {
  if (Array.isArray(value)) {
    visitList(walk, at, value);
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (SKIPPED_KEYS.has(key)) continue;
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        visit(walk, descend(at, key), child);
      } else {
        // Decided before descending: most leaves are strings without a numeric meaning, and naming them is the cost.
        const number = numericValue(key, at.key, child);
        if (number !== undefined) emit(walk, descend(at, key), number);
      }
    }
  } else {
    const number = numericValue(at.key, at.parentKey, value);
    if (number !== undefined) emit(walk, at, number);
  }
}

function descend(at: Position, key: string): Position {
  return { field: childField(at.field, key), labels: at.labels, labelText: at.labelText, key, parentKey: at.key };
}

function visitList(walk: Walk, at: Position, items: readonly unknown[]): void {
  const labelName = uniqueLabelName(at.labels, LIST_LABELS.get(at.key) ?? singular(at.key));
  const keys = elementKeys(items);
  items.forEach((item, index) => {
    const labels: Labels = [...at.labels, [labelName, keys?.[index] ?? String(index)]];
    const element: Position = { ...at, field: elementField(at.field), labels, labelText: renderLabels(labels), parentKey: at.key };
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      visit(walk, element, item);
    } else {
      visit(walk, { ...element, key: '' }, item);
    }
  });
}

/**
 * The natural key of every element, when one key names all of them uniquely; otherwise undefined and the list is
 * labelled by index. Deciding per list (not per element) keeps a named element from colliding with an index.
 */
function elementKeys(items: readonly unknown[]): string[] | undefined {
  for (const key of NATURAL_KEYS) {
    const values = items.map((item) => naturalKeyValue(item, key));
    if (values.every((value): value is string => value !== undefined) && new Set(values).size === values.length) {
      return values;
    }
  }
  return undefined;
}

function naturalKeyValue(item: unknown, key: string): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const value = (item as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The number a leaf stands for, if any, from its value, its key and the key of the map or list that holds it. */
function numericValue(key: string, parentKey: string, value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  if (parentKey === 'conditions' && key === 'status') return CONDITION_STATUS.get(value);
  if (QUANTITY_MAPS.has(parentKey)) return parseQuantity(value);
  if (looksLikeTimestamp(value)) return timestampSeconds(value);
  return undefined;
}

function looksLikeTimestamp(text: string): boolean {
  const first = text.charCodeAt(0);
  return text.length >= 20 && first >= 48 && first <= 57 && RFC3339.test(text);
}

function timestampSeconds(text: string): number | undefined {
  const millis = Date.parse(text);
  if (Number.isNaN(millis)) return undefined;
  // Date.parse keeps milliseconds only; the API may serve nanoseconds, so take the fraction from the text.
  const fraction = /\.(\d+)/.exec(text)?.[1];
  const wholeSeconds = Math.floor(millis / 1000);
  return fraction === undefined ? wholeSeconds : wholeSeconds + Number(`0.${fraction}`);
}

function emit(walk: Walk, at: Position, value: number): void {
  if (isDuplicate(walk, at)) return;
  const { metricName, path } = at.field;
  walk.samples.push({ name: metricName, path, labels: at.labels, labelText: at.labelText, value });
}

/**
 * Sanitising can map two fields onto one name (`a-b`, `a_b`): the first series keeps the name, so none is ever
 * doubled. One field never repeats a label set within an object, so only names shared by fields need checking.
 */
function isDuplicate(walk: Walk, at: Position): boolean {
  const { metricName } = at.field;
  const owner = walk.fieldOfName.get(metricName);
  if (owner === undefined) {
    walk.fieldOfName.set(metricName, at.field);
    return false;
  }
  let taken = walk.contested.get(metricName);
  if (taken === undefined) {
    if (owner === at.field) return false;
    taken = new Set(walk.samples.filter((sample) => sample.name === metricName).map((sample) => sample.labelText));
    walk.contested.set(metricName, taken);
  }
  if (taken.has(at.labelText)) return true;
  taken.add(at.labelText);
  return false;
}

export function sanitizeName(text: string): string {
  return text.replace(/[^a-zA-Z0-9_]/g, '_');
}

function singular(listKey: string): string {
  const name = sanitizeName(listKey) || 'item';
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (/(?:ss|sh|ch|x|us)es$/.test(name)) return name.slice(0, -2);
  if (name.endsWith('s') && !name.endsWith('ss')) return name.slice(0, -1);
  return name;
}

/** A label name for a list that no outer list or the object identity already uses, and that Prometheus accepts. */
function uniqueLabelName(labels: Labels, wanted: string): string {
  const base = /^[a-zA-Z_]/.test(wanted) && !wanted.startsWith('__') ? wanted : `list_${wanted}`;
  const taken = new Set(labels.map(([name]) => name));
  let candidate = base;
  for (let depth = 2; taken.has(candidate); depth++) candidate = `${base}_${depth}`;
  return candidate;
}
