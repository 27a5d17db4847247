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
  readonly metricPrefix: string;
  readonly samples: Sample[];
  readonly seen: Set<string>;
}

interface Position {
  readonly metricName: string;
  readonly path: string;
  /** HELP text for a family that is not a field's value; else the HELP names the path. */
  readonly help?: string;
  readonly labels: Labels;
  /** The key this value sits under, and the key of the map or list that holds it. */
  readonly key: string;
  readonly parentKey: string;
}

export function flatten(metricPrefix: string, identity: ObjectIdentity, object: unknown): Sample[] {
  const labels: [string, string][] = [['name', identity.name]];
  if (identity.namespace !== undefined) labels.push(['namespace', identity.namespace]);
  const walk: Walk = { metricPrefix, samples: [], seen: new Set() };
  const root: Position = { metricName: metricPrefix, path: '', labels, key: '', parentKey: '' };
  visit(walk, root, object);
  return walk.samples;
}

function visit(walk: Walk, at: Position, value: unknown): void {
  if (Array.isArray(value)) {
    visitList(walk, at, value);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (SKIPPED_KEYS.has(key)) continue;
      visit(walk, descend(at, key), child);
    }
  } else {
    const number = numericValue(at, value);
    if (number !== undefined) emit(walk, at, number);
  }
}

function descend(at: Position, key: string): Position {
  return {
    metricName: `${at.metricName}_${sanitizeName(key)}`,
    path: at.path ? `${at.path}.${key}` : key,
    labels: at.labels,
    key,
    parentKey: at.key,
  };
}

function visitList(walk: Walk, at: Position, items: readonly unknown[]): void {
  const labelName = uniqueLabelName(at.labels, LIST_LABELS.get(at.key) ?? singular(at.key));
  const keys = elementKeys(items);
  items.forEach((item, index) => {
    const element: Position = {
      ...at,
      path: `${at.path}[]`,
      labels: [...at.labels, [labelName, keys?.[index] ?? String(index)]],
      parentKey: at.key,
    };
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

function numericValue(at: Position, value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  if (at.parentKey === 'conditions' && at.key === 'status') return CONDITION_STATUS.get(value);
  if (QUANTITY_MAPS.has(at.parentKey)) return parseQuantity(value);
  if (RFC3339.test(value)) return timestampSeconds(value);
  return undefined;
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
  // Sanitising can map two keys onto one name (`a-b`, `a_b`): the first keeps the series, so none is ever doubled.
  const seriesKey = `${at.metricName}\u0000${at.labels.map(([name, labelValue]) => `${name}=${labelValue}`).join('\u0000')}`;
  if (walk.seen.has(seriesKey)) return;
  walk.seen.add(seriesKey);
  walk.samples.push({ name: at.metricName, path: at.path, labels: at.labels, value });
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
