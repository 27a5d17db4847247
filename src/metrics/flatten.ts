/**
 * Object → samples. Pure: the whole naming and labelling contract of the exporter lives here (README "Naming").
 *
 * - Metric name: `k8s_<kind>_<path>`, the JSON keys from the object root joined by `_`, API camelCase kept,
 *   characters outside [a-zA-Z0-9_] replaced by `_`.
 * - Labels: `name`, `namespace` (only for namespaced objects), then one label per list the path goes through.
 * - Values: numbers as they are, booleans 1/0, quantities under resource maps in base units, RFC 3339 timestamps
 *   as unix seconds, condition statuses True/False/Unknown as 1/0/-1. Other strings and nulls are skipped.
 */

import { parseQuantity } from '../objects/quantity.js';
import { NEVER_KEPT_KEYS } from '../objects/trim.js';
import { renderLabels, type Sample, wellFormed, withLabel } from './exposition.js';

/** Bounds on what one object may add to /metrics (flags --max-depth, --max-series-per-object, --max-label-length). */
export interface FlattenLimits {
  /** Fields nested deeper than this many keys and list levels below the object root are not walked. */
  readonly maxDepth: number;
  /** Series beyond this many for one object are dropped. */
  readonly maxSeriesPerObject: number;
  /** A list whose natural keys are longer is labelled by index; an object whose name is longer exports nothing. */
  readonly maxLabelValueLength: number;
}

export const NO_LIMITS: FlattenLimits = {
  maxDepth: Infinity,
  maxSeriesPerObject: Infinity,
  maxLabelValueLength: Infinity,
};

export const DROP_REASONS = ['depth', 'series_limit', 'label_length', 'name_taken'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * What the limits held back: fields not walked (depth) and series not exported (the others; name_taken: the series'
 * name and labels were another's, see emit and src/metrics/render.ts).
 */
export type Dropped = Record<DropReason, number>;

export function noneDropped(): Dropped {
  return { depth: 0, series_limit: 0, label_length: 0, name_taken: 0 };
}

export interface ObjectIdentity {
  readonly name: string;
  /** Undefined for cluster-scoped objects: they get no namespace label rather than an empty one. */
  readonly namespace?: string;
}

/** Keys never walked, wherever they appear: those never kept at all, plus label maps and owner references (noise). */
const SKIPPED_KEYS = new Set([...NEVER_KEPT_KEYS, 'labels', 'ownerReferences']);

/** Maps whose string values are resource quantities. */
const QUANTITY_MAPS = new Set([
  'capacity',
  'allocatable',
  'requests',
  'limits',
  'overhead',
  'allocatedResources',
  'hard',
  'used',
]);

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

const CONDITION_STATUS: ReadonlyMap<string, number> = new Map([
  ['True', 1],
  ['False', 0],
  ['Unknown', -1],
]);

interface Walk {
  readonly limits: FlattenLimits;
  readonly dropped: Dropped;
  readonly samples: Sample[];
  /** Label sets emitted under names that more than one field maps to (sanitising collisions); made when first needed. */
  contested?: Map<string, Set<string>>;
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
  /** For a list: the name of the label its elements add, one Prometheus accepts (before making it unique among the outer labels). */
  listLabel?: string;
  /** Has emitted a sample: its metric name is registered in fieldOfName. */
  emitted?: boolean;
  /** Another field maps to the same metric name (a sanitising collision): its samples are checked for duplicates. */
  contested?: boolean;
}

const MAX_REMEMBERED_FIELDS = 100_000;
const fieldTries = new Map<string, Field>();
let rememberedFields = 0;
/** The first remembered field that emitted each metric name. */
const fieldOfName = new Map<string, Field>();

function newField(metricName: string, path: string): Field {
  return { metricName, path, children: new Map() };
}

/** Keeps the field in the trie while there is room; past that, fields are fresh per walk and all of them checked. */
function remember(field: Field, store: (field: Field) => void): Field {
  if (rememberedFields < MAX_REMEMBERED_FIELDS) {
    store(field);
    rememberedFields++;
  }
  return field;
}

function childField(parent: Field, key: string): Field {
  return (
    parent.children.get(key) ??
    remember(
      newField(`${parent.metricName}_${sanitizeName(key)}`, parent.path ? `${parent.path}.${key}` : key),
      (child) => parent.children.set(key, child),
    )
  );
}

function elementField(list: Field): Field {
  return list.element ?? remember(newField(list.metricName, `${list.path}[]`), (element) => (list.element = element));
}

/** The labels of a value's place: the object's identity, then one per list element around it. */
interface Labelling {
  readonly names: readonly string[];
  /** As exposition text, `{name="value",...}`: rendered once per object or list element, not per sample. */
  readonly text: string;
}

/** The object's samples within the limits; what the limits held back is added to `dropped`. */
export function flatten(
  metricPrefix: string,
  identity: ObjectIdentity,
  object: unknown,
  limits: FlattenLimits = NO_LIMITS,
  dropped: Dropped = noneDropped(),
): Sample[] {
  const labels: [string, string][] = [['name', identity.name]];
  if (identity.namespace !== undefined) labels.push(['namespace', identity.namespace]);
  const walk: Walk = { limits, dropped, samples: [] };
  if (!identityFits(identity, limits)) {
    dropped.label_length += 1;
    return [];
  }
  let rootField = fieldTries.get(metricPrefix);
  if (rootField === undefined) {
    rootField = newField(metricPrefix, '');
    fieldTries.set(metricPrefix, rootField);
  }
  visit(walk, rootField, 0, { names: labels.map(([name]) => name), text: renderLabels(labels) }, '', '', object);
  return walk.samples;
}

/** Whether the object's name and namespace fit the label length limit: an object whose identity does not exports nothing. */
export function identityFits(identity: ObjectIdentity, limits: FlattenLimits): boolean {
  return (
    identity.name.length <= limits.maxLabelValueLength &&
    (identity.namespace === undefined || identity.namespace.length <= limits.maxLabelValueLength)
  );
}

/**
 * Walks a value: `field` names it, `depth` counts the keys and list levels above it, `key` is the key it sits under
 * and `parentKey` the key of the map or list that holds it. Parameters, not a position object per value: this runs
 * for every field of every watch event, and the allocations showed.
 */
function visit(
  walk: Walk,
  field: Field,
  depth: number,
  labelling: Labelling,
  key: string,
  parentKey: string,
  value: unknown,
): void {
  if (depth > walk.limits.maxDepth) {
    walk.dropped.depth += 1;
    return;
  }
  if (Array.isArray(value)) {
    visitList(walk, field, depth, labelling, key, value);
  } else if (value !== null && typeof value === 'object') {
    for (const childKey in value) {
      if (SKIPPED_KEYS.has(childKey)) continue;
      const child = (value as Record<string, unknown>)[childKey];
      if (child !== null && typeof child === 'object') {
        visit(walk, childField(field, childKey), depth + 1, labelling, childKey, key, child);
      } else {
        // Decided before naming the field: most leaves are strings without a numeric meaning, and naming is the cost.
        const number = numericValue(childKey, key, child);
        if (number === undefined) continue;
        if (depth + 1 > walk.limits.maxDepth) walk.dropped.depth += 1;
        else emit(walk, childField(field, childKey), labelling.text, number);
      }
    }
  } else {
    const number = numericValue(key, parentKey, value);
    if (number !== undefined) emit(walk, field, labelling.text, number);
  }
}

function visitList(
  walk: Walk,
  field: Field,
  depth: number,
  labelling: Labelling,
  key: string,
  items: readonly unknown[],
): void {
  field.listLabel ??= listLabelName(key);
  const labelName = uniqueLabelName(labelling.names, field.listLabel);
  const names = [...labelling.names, labelName];
  const keys = elementKeys(items, walk.limits.maxLabelValueLength);
  const element = elementField(field);
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const elementLabelling: Labelling = {
      names,
      text: withLabel(labelling.text, labelName, keys?.[index] ?? String(index)),
    };
    // A map element's fields keep the list's key as their parent; a scalar or nested list is read under no key.
    const isMap = item !== null && typeof item === 'object' && !Array.isArray(item);
    visit(walk, element, depth + 1, elementLabelling, isMap ? key : '', key, item);
  }
}

/**
 * The natural key of every element, when one key names all of them uniquely within the label length limit;
 * otherwise undefined and the list is labelled by index. Deciding per list (not per element) keeps a named element
 * from colliding with an index. Keys are compared as they will be written, lone surrogates as U+FFFD: two keys that
 * differ only there would render as one label value.
 */
export function elementKeys(items: readonly unknown[], maxLength: number): string[] | undefined {
  for (const key of NATURAL_KEYS) {
    const values: string[] = [];
    // Most lists are short: a scan finds a repeat sooner than a Set is built.
    const seen = items.length > SHORT_LIST ? new Set<string>() : undefined;
    for (const item of items) {
      const value = naturalKeyValue(item, key);
      if (value === undefined || value.length > maxLength || (seen ? seen.has(value) : values.includes(value))) break;
      seen?.add(value);
      values.push(value);
    }
    if (values.length === items.length) return values;
  }
  return undefined;
}

const SHORT_LIST = 16;

function naturalKeyValue(item: unknown, key: string): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const value = (item as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? wellFormed(value) : undefined;
}

/** The number a leaf stands for, if any, from its value, its key and the key of the map or list that holds it. */
function numericValue(key: string, parentKey: string, value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  if (parentKey === 'conditions' && key === 'status') return CONDITION_STATUS.get(value);
  if (QUANTITY_MAPS.has(parentKey)) return parseQuantity(value);
  if (isDigit(value.charCodeAt(0))) return timestampSeconds(value);
  return undefined;
}

/**
 * Unix seconds of an RFC 3339 timestamp (`2017-07-18T12:32:16.298303791Z`, `2017-07-18T14:32:01+02:00`), fraction
 * kept to the nanosecond; undefined for anything else. Read by position, not by regex and Date.parse: a pod holds a
 * dozen timestamps and this is the flattener's hot path. Accepts what Date.parse accepts of that form: days up to 31
 * in any month (rolled over), 24:00:00 as the end of the day.
 */
export function timestampSeconds(text: string): number | undefined {
  if (text.length < 20) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const separators =
    text[4] === '-' &&
    text[7] === '-' &&
    (text[10] === 'T' || text[10] === 't') &&
    text[13] === ':' &&
    text[16] === ':';
  if (
    !separators ||
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return undefined;
  let zoneAt = 19;
  if (text[zoneAt] === '.') {
    do zoneAt++;
    while (isDigit(text.charCodeAt(zoneAt)));
    if (zoneAt === 20) return undefined;
  }
  const fraction = zoneAt > 20 ? Number(text.slice(19, zoneAt)) : 0;
  if (hour < 0 || hour > 24 || (hour === 24 && (minute > 0 || second > 0 || fraction > 0))) return undefined;
  let offsetMinutes = 0;
  const zone = text[zoneAt];
  if (zone === 'Z' || zone === 'z') {
    if (text.length !== zoneAt + 1) return undefined;
  } else if ((zone === '+' || zone === '-') && text.length === zoneAt + 6 && text[zoneAt + 3] === ':') {
    const offsetHour = digitsAt(text, zoneAt + 1, 2);
    const offsetMinute = digitsAt(text, zoneAt + 4, 2);
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return undefined;
    offsetMinutes = (zone === '+' ? 1 : -1) * (offsetHour * 60 + offsetMinute);
  } else {
    return undefined;
  }
  // Date.UTC reads years 0-99 as 1900-1999: shift those by one 400-year Gregorian cycle and back.
  const cycles = year < 100 ? 1 : 0;
  return (
    Date.UTC(year + 400 * cycles, month - 1, day, hour, minute - offsetMinutes, second) / 1000 -
    cycles * SECONDS_PER_400_YEARS +
    fraction
  );
}

const SECONDS_PER_400_YEARS = 146_097 * 86_400;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The number written by `length` digits at `start`, or -1 if any of them is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) {
    const code = text.charCodeAt(index);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 48;
  }
  return value;
}

function emit(walk: Walk, field: Field, labelText: string, value: number): void {
  if (mayCollide(field) && isDuplicate(walk, field.metricName, labelText)) {
    walk.dropped.name_taken += 1;
    return;
  }
  if (walk.samples.length >= walk.limits.maxSeriesPerObject) {
    walk.dropped.series_limit += 1;
    return;
  }
  walk.samples.push({ name: field.metricName, path: field.path, labelText, value });
}

/**
 * Sanitising can map two fields onto one name (`a-b`, `a_b`): the first series keeps the name, so none is ever
 * doubled. One field never repeats a label set within an object, so only names shared by fields need checking:
 * a field is registered under its name when it first emits, and fields found sharing one are marked contested.
 */
function mayCollide(field: Field): boolean {
  if (rememberedFields >= MAX_REMEMBERED_FIELDS) return true;
  if (!field.emitted) {
    field.emitted = true;
    const owner = fieldOfName.get(field.metricName);
    if (owner === undefined) {
      fieldOfName.set(field.metricName, field);
    } else if (owner !== field) {
      owner.contested = true;
      field.contested = true;
    }
  }
  return field.contested === true;
}

function isDuplicate(walk: Walk, metricName: string, labelText: string): boolean {
  walk.contested ??= new Map();
  let taken = walk.contested.get(metricName);
  if (taken === undefined) {
    taken = new Set(walk.samples.filter((sample) => sample.name === metricName).map((sample) => sample.labelText));
    walk.contested.set(metricName, taken);
  }
  if (taken.has(labelText)) return true;
  taken.add(labelText);
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

/** The name, or `list_<name>` where Prometheus would not accept it (a leading digit, or `__`, which is reserved). */
function validLabelName(wanted: string): string {
  return /^[a-zA-Z_]/.test(wanted) && !wanted.startsWith('__') ? wanted : `list_${wanted}`;
}

/** The label a list's elements add (before making it unique among the outer labels): `container`, `port`, ... */
export function listLabelName(listKey: string): string {
  return validLabelName(LIST_LABELS.get(listKey) ?? singular(listKey));
}

/** A label name for a list that no outer list or the object identity already uses. */
export function uniqueLabelName(taken: readonly string[], base: string): string {
  let candidate = base;
  for (let depth = 2; taken.includes(candidate); depth++) candidate = `${base}_${depth}`;
  return candidate;
}
