/**
 * Declared fields → samples: the string fields a kind declares (src/kinds/declared-fields.ts, or --fields-config)
 * as state sets, info series, key series and zero defaults, plus the opt-in label and annotation series
 * (--metric-labels-allowlist, --metric-annotations-allowlist). Declarations are compiled once per kind; rendering an
 * object then walks only the declared paths, and renders each label text once per object or list element.
 */

import {
  DECLARED_FIELDS,
  type InfoDeclaration,
  type KeysDeclaration,
  type KindFields,
  type PercentDeclaration,
  type StateSetDeclaration,
} from '../kinds/declared-fields.js';
import { controllerOf, deploymentOfPod } from '../objects/owners.js';
import { escapeLabelValue, renderLabelPairs, renderLabels, type Sample, withLabel } from './exposition.js';
import {
  type Dropped,
  elementKeys,
  type FlattenLimits,
  listLabelName,
  type ObjectIdentity,
  sanitizeName,
  uniqueLabelName,
} from './flatten.js';

/** Named derivations a label may take its value from (`@deployment`): facts no single field holds. */
const DERIVATIONS: Readonly<Record<string, (object: unknown) => string | undefined>> = {
  controllerKind: (object) => controllerOf(object)?.kind,
  controllerName: (object) => controllerOf(object)?.name,
  deployment: deploymentOfPod,
};

/** Label names the object's identity takes (namespace too for cluster-scoped kinds, so a file fits every kind). */
const IDENTITY_LABELS = ['name', 'namespace'];

/** One step of a path: a key, then optionally every element of the list there, or the first matching one. */
interface Segment {
  readonly key: string;
  readonly each: boolean;
  readonly select?: { readonly field: string; readonly value: string };
}

const SEGMENT = /^([^.[\]=]+)(?:\[\]|\[([^.[\]=]+)=([^[\]]*)\])?$/;

/** `status.addresses[type=InternalIP].address` → its segments; `.` → none (the value itself). Throws on bad syntax. */
function parsePath(text: string): Segment[] {
  if (text === '.') return [];
  return text.split('.').map((part) => {
    const match = SEGMENT.exec(part);
    if (!match)
      throw new Error(`"${text}" is not a field path (keys joined by ".", a list as key[] or key[field=value])`);
    const [, key, field, value] = match;
    return {
      key,
      each: part.endsWith('[]'),
      select: field === undefined ? undefined : { field, value },
    };
  });
}

/** The values at a path: every element's of a `[]` list, the first match's of a selection. */
function valuesAt(node: unknown, segments: readonly Segment[], from = 0, out: unknown[] = []): unknown[] {
  if (from === segments.length) {
    if (node !== undefined && node !== null) out.push(node);
    return out;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return out;
  const { key, each, select } = segments[from];
  const child = (node as Record<string, unknown>)[key];
  if (each || select) {
    if (!Array.isArray(child)) return out;
    if (select) {
      const match = child.find((item) => isMap(item) && item[select.field] === select.value);
      if (match !== undefined) valuesAt(match, segments, from + 1, out);
    } else {
      for (const item of child) valuesAt(item, segments, from + 1, out);
    }
    return out;
  }
  return valuesAt(child, segments, from + 1, out);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A scalar as label text: strings as they are, numbers and booleans as written in JSON; anything else ''. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** A label value from a field's values: lists joined by `,`. */
function labelValue(values: readonly unknown[]): string {
  let text = '';
  for (const value of values) {
    const part = scalarText(value);
    if (part !== '') text = text === '' ? part : `${text},${part}`;
  }
  return text;
}

/** Reads a path's label value; a path through plain keys only (most) without collecting values in a list. */
function labelReader(segments: readonly Segment[]): (node: unknown) => string {
  if (segments.some((segment) => segment.each || segment.select)) return (node) => labelValue(valuesAt(node, segments));
  const keys = segments.map((segment) => segment.key);
  return (node) => {
    let value = node;
    for (const key of keys) {
      if (!isMap(value)) return '';
      value = value[key];
    }
    return Array.isArray(value) ? labelValue(value) : scalarText(value);
  };
}

interface CompiledStateSet {
  readonly name: string;
  readonly path: string;
  readonly help: string;
  readonly segments: readonly Segment[];
  /** Per list segment, its label name; undefined for the others. */
  readonly listLabels: readonly (string | undefined)[];
  readonly label: string;
  readonly byKey: boolean;
  /** The closed set's values and each one's label pair as text, `phase="Running"`. */
  readonly closed?: ReadonlyArray<readonly [value: string, pair: string]>;
}

interface CompiledLabel {
  readonly name: string;
  readonly read: (node: unknown) => string;
}

interface CompiledInfo {
  readonly name: string;
  readonly help: string;
  readonly each?: readonly Segment[];
  readonly when?: readonly Segment[];
  readonly labels: readonly CompiledLabel[];
}

interface CompiledKeys {
  readonly name: string;
  readonly help: string;
  readonly segments: readonly Segment[];
  readonly prefix: string;
  readonly label: string;
  readonly valueLabel?: string;
}

interface CompiledPercent {
  readonly name: string;
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly of: readonly Segment[];
  readonly round: (value: number) => number;
}

interface CompiledZero {
  readonly name: string;
  readonly path: string;
  readonly segments: readonly Segment[];
}

/** A kind's declarations, ready to render. */
export interface CompiledFields {
  readonly stateSets: readonly CompiledStateSet[];
  readonly info: readonly CompiledInfo[];
  readonly keys: readonly CompiledKeys[];
  readonly percents: readonly CompiledPercent[];
  readonly zeros: readonly CompiledZero[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Compiles a kind's declarations for the metric prefix `k8s_<kind>`. Throws an Error whose message starts with the
 * place of the bad entry (`stateSets[0]: ...`), for compileDeclared to prefix with the kind.
 */
function compileFields(metricPrefix: string, fields: KindFields): CompiledFields {
  const at = <T>(place: string, compile: () => T): T => {
    try {
      return compile();
    } catch (error) {
      throw new Error(`${place}: ${(error as Error).message}`);
    }
  };
  const names = new Set<string>();
  const unique = (place: string, name: string) => {
    if (names.has(name)) throw new Error(`${place}: ${name} is declared twice`);
    names.add(name);
    return name;
  };
  const stateSets = (fields.stateSets ?? []).map((declaration, index) =>
    at(`stateSets[${index}]`, () => compileStateSet(metricPrefix, declaration, unique)),
  );
  const info = (fields.info ?? []).map((declaration, index) =>
    at(`info[${index}]`, () => compileInfo(metricPrefix, declaration, unique)),
  );
  const keys = (fields.keys ?? []).map((declaration, index) =>
    at(`keys[${index}]`, () => compileKeys(metricPrefix, declaration, unique)),
  );
  const percents = (fields.percents ?? []).map((declaration, index) =>
    at(`percents[${index}]`, () => compilePercent(metricPrefix, declaration, unique)),
  );
  const zeros = (fields.zeros ?? []).map((path, index) =>
    at(`zeros[${index}]`, () => {
      const segments = oneFieldPath(path);
      return { name: unique('zeros', metricName(metricPrefix, segments)), path, segments };
    }),
  );
  return { stateSets, info, keys, percents, zeros };
}

/** A path to one field, through no list. */
function oneFieldPath(path: string): Segment[] {
  const segments = parsePath(path);
  if (segments.length === 0 || segments.some((segment) => segment.each || segment.select))
    throw new Error(`"${path}" must name one field, without lists`);
  return segments;
}

function compilePercent(
  prefix: string,
  declaration: PercentDeclaration,
  unique: (place: string, name: string) => string,
): CompiledPercent {
  const segments = oneFieldPath(declaration.path);
  return {
    name: unique('path', metricName(prefix, segments)),
    path: declaration.path,
    segments,
    of: oneFieldPath(declaration.of),
    round: declaration.round === 'up' ? Math.ceil : Math.floor,
  };
}

/** `k8s_pod` + `status.containerStatuses[].state` → `k8s_pod_status_containerStatuses_state`, as the flattener names it. */
function metricName(prefix: string, segments: readonly Segment[]): string {
  return segments.reduce((name, segment) => `${name}_${sanitizeName(segment.key)}`, prefix);
}

function checkLabelName(name: string, taken: readonly string[]): string {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`"${name}" is not a label name`);
  if (taken.includes(name)) throw new Error(`label "${name}" is taken by the object's identity or a list`);
  return name;
}

function compileStateSet(
  prefix: string,
  declaration: StateSetDeclaration,
  unique: (place: string, name: string) => string,
): CompiledStateSet {
  const segments = parsePath(declaration.path);
  const last = segments.at(-1);
  if (last === undefined || last.each || last.select) throw new Error(`"${declaration.path}" must end in a plain key`);
  if (segments.some((segment) => segment.select))
    throw new Error(`"${declaration.path}": a state set walks lists with [], not [field=value]`);
  const taken = [...IDENTITY_LABELS];
  const listLabels = segments.map((segment) => {
    if (!segment.each) return undefined;
    const label = uniqueLabelName(taken, listLabelName(segment.key));
    taken.push(label);
    return label;
  });
  const label = checkLabelName(declaration.label, taken);
  const values = declaration.values;
  if (values !== undefined && new Set(values).size !== values.length)
    throw new Error(`values of ${declaration.path} repeat`);
  const { path } = declaration;
  const what = declaration.of === 'key' ? `the key set under ${path}` : path;
  return {
    name: unique('path', metricName(prefix, segments)),
    path,
    help:
      values === undefined
        ? `State of ${what}: one series, the current value as label ${label}.`
        : `State of ${what}: one series per value of label ${label}, 1 for the current, 0 for the others.`,
    segments,
    listLabels,
    label,
    byKey: declaration.of === 'key',
    closed: values?.map((value) => [value, `${label}="${escapeLabelValue(value)}"`] as const),
  };
}

function compileInfo(
  prefix: string,
  declaration: InfoDeclaration,
  unique: (place: string, name: string) => string,
): CompiledInfo {
  const each = declaration.each === undefined ? undefined : parsePath(declaration.each);
  const labels = Object.entries(declaration.labels).map(([name, source]) => {
    checkLabelName(name, IDENTITY_LABELS);
    if (source.startsWith('@')) {
      const derive = DERIVATIONS[source.slice(1)];
      if (derive === undefined)
        throw new Error(`${name}: unknown derivation ${source} (known: ${Object.keys(DERIVATIONS).join(', ')})`);
      return { name, read: (object: unknown) => derive(object) ?? '' };
    }
    const segments = parsePath(source);
    return { name, read: labelReader(segments) };
  });
  if (each !== undefined && Object.values(declaration.labels).some((source) => source.startsWith('@')))
    throw new Error('derivations read the object: not allowed in a family with "each"');
  return {
    name: unique('name', `${prefix}_${sanitizeName(declaration.name)}`),
    help: `Info (1), one series ${each ? `per element of ${declaration.each}` : 'per object'}: ${labels.map((label) => `${label.name}=${declaration.labels[label.name]}`).join(', ')}.`,
    each,
    when: declaration.when === undefined ? undefined : parsePath(declaration.when),
    labels,
  };
}

function compileKeys(
  metricPrefix: string,
  declaration: KeysDeclaration,
  unique: (place: string, name: string) => string,
): CompiledKeys {
  const prefix = declaration.prefix ?? '';
  const label = checkLabelName(declaration.label, IDENTITY_LABELS);
  const valueLabel =
    declaration.valueLabel === undefined
      ? undefined
      : checkLabelName(declaration.valueLabel, [...IDENTITY_LABELS, label]);
  const keys = prefix
    ? `key of ${declaration.path} starting with ${prefix}, the rest of the key`
    : `key of ${declaration.path}, the key`;
  return {
    name: unique('name', `${metricPrefix}_${sanitizeName(declaration.name)}`),
    help: `One series (1) per ${keys} as label ${label}${valueLabel ? `, its value as label ${valueLabel}` : ''}.`,
    segments: parsePath(declaration.path),
    prefix,
    label,
    valueLabel,
  };
}

/** Opt-in label and annotation series per kind: the keys allowed (`*` for all). */
export interface MetadataAllowlists {
  /** Kind (metric name) → label keys. */
  readonly labels: ReadonlyMap<string, readonly string[]>;
  readonly annotations: ReadonlyMap<string, readonly string[]>;
}

/** What the render stage adds beyond the flattened fields: each kind's compiled declarations, the opt-in lists. */
export interface DeclaredConfig {
  /** Kind (metric name) → its compiled declarations. */
  readonly fields: ReadonlyMap<string, CompiledFields>;
  readonly allowlists?: MetadataAllowlists;
  /**
   * Some declaration may read `metadata.resourceVersion` (as a label, say): then an update that changes nothing else
   * still changes the object's samples. Conservative: any mention of the key counts.
   */
  readonly readsResourceVersion: boolean;
}

/** Compiles declarations per kind (metric name); throws with the kind and place of a bad entry. */
export function compileDeclared(
  declarations: Readonly<Record<string, KindFields>>,
  allowlists?: MetadataAllowlists,
): DeclaredConfig {
  const fields = new Map<string, CompiledFields>();
  for (const [kind, kindFields] of Object.entries(declarations)) {
    try {
      fields.set(kind, compileFields(`k8s_${sanitizeName(kind)}`, kindFields));
    } catch (error) {
      throw new Error(`kinds.${kind}.${(error as Error).message}`);
    }
  }
  return { fields, allowlists, readsResourceVersion: JSON.stringify(declarations).includes('resourceVersion') };
}

let builtIn: DeclaredConfig | undefined;

/** The built-in table (src/kinds/declared-fields.ts), compiled once. */
export function builtInDeclared(): DeclaredConfig {
  builtIn ??= compileDeclared(DECLARED_FIELDS);
  return builtIn;
}

/** The object's declared and opt-in samples, appended to its flattened `samples` (the series limit counts both). */
export function renderDeclared(
  kind: string,
  identity: ObjectIdentity,
  object: unknown,
  samples: Sample[],
  limits: FlattenLimits,
  dropped: Dropped,
  config: DeclaredConfig,
): void {
  const compiled = config.fields.get(kind);
  const labels = config.allowlists?.labels.get(kind);
  const annotations = config.allowlists?.annotations.get(kind);
  if (compiled === undefined && labels === undefined && annotations === undefined) return;
  // An identity too long to label anything was already counted by the flattener, which exported nothing.
  if (
    identity.name.length > limits.maxLabelValueLength ||
    (identity.namespace?.length ?? 0) > limits.maxLabelValueLength
  )
    return;
  const out: Output = { samples, limits, dropped };
  const identityLabels: [string, string][] = [['name', identity.name]];
  if (identity.namespace !== undefined) identityLabels.push(['namespace', identity.namespace]);
  const labelText = renderLabels(identityLabels);
  if (compiled !== undefined) declaredSamples(compiled, labelText, object, out);
  const metadata = isMap(object) ? object.metadata : undefined;
  const prefix = `k8s_${sanitizeName(kind)}`;
  if (labels !== undefined)
    metadataSamples(`${prefix}_labels`, 'label', labels, isMap(metadata) ? metadata.labels : undefined, labelText, out);
  if (annotations !== undefined)
    metadataSamples(
      `${prefix}_annotations`,
      'annotation',
      annotations,
      isMap(metadata) ? metadata.annotations : undefined,
      labelText,
      out,
    );
}

/** Where one object's samples go: within the series budget and label length, with what is held back counted. */
interface Output {
  readonly samples: Sample[];
  readonly limits: FlattenLimits;
  readonly dropped: Dropped;
  /**
   * The label texts of a list's elements, by list: several state sets walk the same list (a container's state and
   * reasons), which is labelled once. A list sits at one path, so its texts are the same for every walk through it.
   */
  elementTexts?: Map<readonly unknown[], readonly string[]>;
}

function push(out: Output, sample: Sample): void {
  if (out.samples.length >= out.limits.maxSeriesPerObject) out.dropped.series_limit += 1;
  else out.samples.push(sample);
}

/**
 * The object's declared samples. Label values longer than the limit: a state set's series is dropped, an info
 * label left out; both counted. Info labels whose field is absent or empty are left out.
 */
function declaredSamples(compiled: CompiledFields, labelText: string, object: unknown, out: Output): void {
  for (const set of compiled.stateSets) walkStateSet(out, set, object, 0, labelText);
  for (const info of compiled.info) renderInfo(out, info, object, labelText);
  for (const keys of compiled.keys) renderKeys(out, keys, object, labelText);
  for (const percent of compiled.percents) renderPercent(out, percent, object, labelText);
  for (const zero of compiled.zeros) {
    if (valuesAt(object, zero.segments).length === 0)
      push(out, { name: zero.name, path: zero.path, labelText, value: 0 });
  }
}

function walkStateSet(out: Output, set: CompiledStateSet, node: unknown, index: number, labelText: string): void {
  if (!isMap(node)) return;
  const segment = set.segments[index];
  const child = node[segment.key];
  if (index === set.segments.length - 1) {
    emitState(out, set, set.byKey ? presentKey(child) : child, labelText);
  } else if (segment.each) {
    if (!Array.isArray(child)) return;
    out.elementTexts ??= new Map();
    let texts = out.elementTexts.get(child);
    if (texts === undefined) {
      const keys = elementKeys(child, out.limits.maxLabelValueLength);
      const label = set.listLabels[index] as string;
      texts = child.map((_, element) => withLabel(labelText, label, keys?.[element] ?? String(element)));
      out.elementTexts.set(child, texts);
    }
    for (let element = 0; element < child.length; element++)
      walkStateSet(out, set, child[element], index + 1, texts[element]);
  } else {
    walkStateSet(out, set, child, index + 1, labelText);
  }
}

/** The key of a map that holds a value (a container's `state: {waiting: {...}}` → `waiting`). */
function presentKey(value: unknown): string | undefined {
  if (!isMap(value)) return undefined;
  for (const key in value) if (value[key] !== null && value[key] !== undefined) return key;
  return undefined;
}

function emitState(out: Output, set: CompiledStateSet, value: unknown, labelText: string): void {
  const current = typeof value === 'string' && value !== '' ? value : undefined;
  const outer = labelText.slice(0, -1);
  let known = false;
  for (const [candidate, pair] of set.closed ?? []) {
    const isCurrent = candidate === current;
    known ||= isCurrent;
    push(out, {
      name: set.name,
      path: set.path,
      help: set.help,
      labelText: `${outer},${pair}}`,
      value: isCurrent ? 1 : 0,
    });
  }
  if (current === undefined || known) return;
  // An open set's value, or one a closed set does not list (a newer API): the current value alone.
  if (current.length > out.limits.maxLabelValueLength) {
    out.dropped.label_length += 1;
    return;
  }
  push(out, {
    name: set.name,
    path: set.path,
    help: set.help,
    labelText: withLabel(labelText, set.label, current),
    value: 1,
  });
}

function renderInfo(out: Output, info: CompiledInfo, object: unknown, labelText: string): void {
  const nodes = info.each === undefined ? [object] : valuesAt(object, info.each);
  const seen = nodes.length > 1 ? new Set<string>() : undefined;
  for (const node of nodes) {
    if (info.when !== undefined && labelValue(valuesAt(node, info.when)) === '') continue;
    let text = labelText.slice(0, -1);
    for (const label of info.labels) {
      const value = label.read(node);
      // An empty label is no label to Prometheus: left out, which keeps the series short.
      if (value === '') continue;
      if (value.length > out.limits.maxLabelValueLength) out.dropped.label_length += 1;
      else text += `,${label.name}="${escapeLabelValue(value)}"`;
    }
    text += '}';
    if (seen?.has(text)) continue;
    seen?.add(text);
    push(out, { name: info.name, path: '', help: info.help, labelText: text, value: 1 });
  }
}

function renderKeys(out: Output, keys: CompiledKeys, object: unknown, labelText: string): void {
  const [map] = valuesAt(object, keys.segments);
  if (!isMap(map)) return;
  for (const key in map) {
    if (!key.startsWith(keys.prefix) || key.length === keys.prefix.length) continue;
    const rest = key.slice(keys.prefix.length);
    const value = keys.valueLabel === undefined ? '' : scalarText(map[key]);
    if (rest.length > out.limits.maxLabelValueLength || value.length > out.limits.maxLabelValueLength) {
      out.dropped.label_length += 1;
      continue;
    }
    const keyText = withLabel(labelText, keys.label, rest);
    push(out, {
      name: keys.name,
      path: '',
      help: keys.help,
      labelText: keys.valueLabel === undefined ? keyText : withLabel(keyText, keys.valueLabel, value),
      value: 1,
    });
  }
}

const PERCENTAGE = /^(-?\d{1,9})%$/;

/** A percentage of a number, as Kubernetes scales it; nothing for an integer (the flattener's) or anything else. */
function renderPercent(out: Output, percent: CompiledPercent, object: unknown, labelText: string): void {
  const [value] = valuesAt(object, percent.segments);
  const [of] = valuesAt(object, percent.of);
  const match = typeof value === 'string' ? PERCENTAGE.exec(value) : null;
  if (match === null || typeof of !== 'number' || !Number.isFinite(of)) return;
  push(out, { name: percent.name, path: percent.path, labelText, value: percent.round((Number(match[1]) * of) / 100) });
}

/** KSM's label names for a map's keys: `label_` + the key snake_cased, invalid characters as `_`, clashes numbered. */
export function metadataLabelNames(prefix: string, keys: readonly string[]): string[] {
  const names: string[] = [];
  const used = new Map<string, number>();
  const conflicts = new Map<string, number>();
  const next = (base: string, count: number): [string, number] => {
    let candidate: string;
    do candidate = `${base}_conflict${++count}`;
    while (used.has(candidate));
    return [candidate, count];
  };
  for (const key of keys) {
    const base = `${prefix}_${sanitizeName(key)
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()}`;
    let name = base;
    const count = conflicts.get(base);
    if (count !== undefined) {
      // This name has collided before: every further key takes the next suffix.
      const [taken, counted] = next(base, count);
      name = taken;
      conflicts.set(base, counted);
    } else if (used.has(name)) {
      // The first collision: the key that took the name first becomes _conflict1, this one _conflict2.
      const index = used.get(name) as number;
      const [renamed, first] = next(base, 0);
      used.delete(name);
      names[index] = renamed;
      used.set(renamed, index);
      const [taken, second] = next(base, first);
      name = taken;
      conflicts.set(base, second);
    }
    used.set(name, names.length);
    names.push(name);
  }
  return names;
}

/**
 * `k8s_<kind>_labels` / `k8s_<kind>_annotations`: one series with the allowed keys of the map as labels (keys sorted,
 * as kube-state-metrics does). Empty values are left out, as are values longer than the limit (counted).
 */
function metadataSamples(
  family: string,
  prefix: 'label' | 'annotation',
  allowed: readonly string[],
  map: unknown,
  labelText: string,
  out: Output,
): void {
  const entries = isMap(map)
    ? Object.keys(map)
        .filter((key) => typeof map[key] === 'string' && (allowed.includes('*') || allowed.includes(key)))
        .sort()
    : [];
  const names = metadataLabelNames(prefix, entries);
  const pairs: [string, string][] = [];
  entries.forEach((key, index) => {
    const value = (map as Record<string, string>)[key];
    if (value.length > out.limits.maxLabelValueLength) out.dropped.label_length += 1;
    else if (value !== '') pairs.push([names[index], value]);
  });
  const text = pairs.length === 0 ? labelText : `${labelText.slice(0, -1)},${renderLabelPairs(pairs)}}`;
  push(out, {
    name: family,
    path: '',
    help: `Opt-in ${prefix}s of the object as labels (${prefix}_<key>), per --metric-${prefix}s-allowlist.`,
    labelText: text,
    value: 1,
  });
}

/**
 * kube-state-metrics' allow list syntax, `pods=[app,team],nodes=[*]`: kind (plural or singular) → keys, `*` for all.
 * Kinds are checked against the watched ones later (resolveAllowlist).
 */
export function parseMetadataAllowlist(text: string): Map<string, string[]> {
  const allowlist = new Map<string, string[]>();
  const entry = /\s*([a-z0-9_.-]+)\s*=\s*\[([^\]]*)\]\s*(,|$)/y;
  let at = 0;
  while (at < text.length && text.slice(at).trim() !== '') {
    entry.lastIndex = at;
    const match = entry.exec(text);
    if (!match)
      throw new Error(`expected KIND=[key,...][,KIND=[...]] (e.g. pods=[app,team],nodes=[*]) at "${text.slice(at)}"`);
    const keys = match[2]
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean);
    const bad = keys.find(
      (key) => key !== '*' && !/^([a-zA-Z0-9.-]+\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/.test(key),
    );
    if (bad !== undefined) throw new Error(`"${bad}" is not a label or annotation key`);
    allowlist.set(match[1], [...(allowlist.get(match[1]) ?? []), ...keys]);
    at = entry.lastIndex;
  }
  return allowlist;
}

/** The allow list by kind metric name; a kind that is not watched is an Error naming the flag. */
export function resolveAllowlist(
  flag: string,
  allowlist: ReadonlyMap<string, readonly string[]>,
  kinds: readonly { readonly metricName: string; readonly plural: string }[],
): Map<string, readonly string[]> {
  const resolved = new Map<string, readonly string[]>();
  for (const [name, keys] of allowlist) {
    const kind = kinds.find((candidate) => candidate.metricName === name || candidate.plural === name);
    if (kind === undefined)
      throw new Error(
        `${flag} names ${name}, which is not watched (watched: ${kinds.map((k) => k.plural).join(', ')})`,
      );
    resolved.set(kind.metricName, keys);
  }
  return resolved;
}

/** The allowed entries of an annotation map, or undefined when none: what a listed object keeps until rendered. */
export function allowedEntries(map: unknown, allowed: readonly string[]): Record<string, string> | undefined {
  if (!isMap(map)) return undefined;
  let kept: Record<string, string> | undefined;
  for (const key in map) {
    const value = map[key];
    if (typeof value !== 'string' || !(allowed.includes('*') || allowed.includes(key))) continue;
    kept ??= {};
    kept[key] = value;
  }
  return kept;
}
