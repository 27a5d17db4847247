/**
 * `--metric-names=ksm`: an object's samples under kube-state-metrics' names, labels and value conventions, driven by
 * the table in src/metrics/ksm-families.ts. A stage after the flattener and the declared fields: each of our series
 * that a renamed family claims leaves under KSM's name (or not at all, when KSM has no such series), derived families
 * read the few facts no single series holds from the object, and every other series keeps its k8s_* name. Pure.
 */

import type { Sample } from './exposition.js';
import { parseLabels, renderLabelPairs } from './exposition.js';
import type { Dropped, FlattenLimits, ObjectIdentity } from './flatten.js';
import {
  CONDITION_STATUSES,
  type DerivedFamily,
  KSM_FAMILIES,
  type KsmContext,
  type KsmKind,
  ksmContext,
  type Labels,
  type RenamedFamily,
  resourceUnit,
} from './ksm-families.js';

export const METRIC_NAMINGS = ['k8s', 'ksm'] as const;
export type MetricNaming = (typeof METRIC_NAMINGS)[number];

/** A renamed family, ready to apply. */
interface Compiled {
  readonly family: RenamedFamily;
  /** Takes our labels as they are: its label text is ours with KSM's identity, nothing parsed. */
  readonly asIs: boolean;
  readonly where: Labels;
  readonly defaults: Labels;
  /** For a resource family: the prefix of our names, before the resource. */
  readonly prefix?: string;
}

/** A kind's table, ready to apply: renamed families by our family name, resource families by prefix. */
interface CompiledKind {
  readonly kind: KsmKind;
  readonly byName: ReadonlyMap<string, readonly Compiled[]>;
  readonly byPrefix: readonly Compiled[];
  /** Our families a derived family stands for: their series are left out. */
  readonly replaced: ReadonlySet<string>;
  /** KSM families that more than one source feeds, or that read lists of the object: their series may repeat. */
  readonly mayRepeat: ReadonlySet<string>;
  /** Per metric name seen, the renamed families that claim it (a name under a prefix is looked up once). */
  readonly claims: Map<string, readonly Compiled[]>;
}

function compile(family: RenamedFamily): Compiled {
  const { where, labels, keep, defaults, add, conditionStatus, from } = family;
  const prefix = from.endsWith('*') ? from.slice(0, -1) : undefined;
  return {
    family,
    asIs: !(where || labels || keep || defaults || add || conditionStatus || prefix),
    where: Object.entries(where ?? {}),
    defaults: Object.entries(defaults ?? {}),
    prefix,
  };
}

const compiled = new Map<string, CompiledKind>();

function compiledKind(metricName: string): CompiledKind | undefined {
  const kind = KSM_FAMILIES[metricName];
  if (kind === undefined) return undefined;
  let entry = compiled.get(metricName);
  if (entry === undefined) {
    const byName = new Map<string, Compiled[]>();
    const byPrefix: Compiled[] = [];
    for (const family of kind.renamed.map(compile)) {
      if (family.prefix !== undefined) byPrefix.push(family);
      else byName.set(family.family.from, [...(byName.get(family.family.from) ?? []), family]);
    }
    const replaced = new Set(kind.derived.flatMap((family) => family.replaces ?? []));
    const targets = kind.renamed.map((family) => family.to);
    const mayRepeat = new Set([
      ...targets.filter((name, index) => targets.indexOf(name) !== index),
      ...kind.derived.map((family) => family.name),
    ]);
    entry = { kind, byName, byPrefix, replaced, mayRepeat, claims: new Map() };
    compiled.set(metricName, entry);
  }
  return entry;
}

/** Bounds the per-name lookups an object with endless distinct field names could add. */
const MAX_REMEMBERED_CLAIMS = 10_000;

function claimsOf(kind: CompiledKind, name: string): readonly Compiled[] {
  let claims = kind.claims.get(name);
  if (claims === undefined) {
    claims = kind.byName.get(name) ?? kind.byPrefix.filter((family) => name.startsWith(family.prefix!));
    if (kind.claims.size < MAX_REMEMBERED_CLAIMS) kind.claims.set(name, claims);
  }
  return claims;
}

/**
 * The object's samples under KSM's names. `samples` are the object's own (flattened and declared, identity labels
 * first, as the render stage makes them); a kind the table does not know is returned as it is. Label values longer
 * than the limit drop their derived series, and the result stays within the series limit; both are counted.
 */
export function ksmSamples(
  metricName: string,
  identity: ObjectIdentity,
  object: unknown,
  samples: readonly Sample[],
  limits: FlattenLimits,
  dropped: Dropped,
): readonly Sample[] {
  const kind = compiledKind(metricName);
  if (kind === undefined) return samples;
  const context = ksmContext(object);
  const ksmIdentity = renderLabelPairs(kind.kind.identity(identity, context).filter(([, value]) => value !== ''));
  const ourIdentity = `{${renderLabelPairs([
    ['name', identity.name],
    ...(identity.namespace === undefined ? [] : [['namespace', identity.namespace] as const]),
  ])}`;
  const out: Sample[] = [];
  const theirs: Sample[] = [];
  // Samples of one list element share their label text: each text is cut and parsed once.
  const texts = new Map<string, LabelText | null>();
  for (const sample of samples) {
    const claims = claimsOf(kind, sample.name);
    let text = claims.length === 0 ? null : texts.get(sample.labelText);
    if (text === undefined) {
      // Our labels start with the identity; the rest (`,container="app"...`) is what the table reads.
      text = sample.labelText.startsWith(ourIdentity) ? { rest: sample.labelText.slice(ourIdentity.length, -1) } : null;
      texts.set(sample.labelText, text);
    }
    if (text === null) {
      if (!kind.replaced.has(sample.name)) out.push(sample);
      continue;
    }
    let claimed = false;
    for (const family of claims) claimed = rename(family, sample, text, context, ksmIdentity, theirs) || claimed;
    // A series no family takes (a pod condition KSM has no family for) keeps its name.
    if (!claimed) out.push(sample);
  }
  for (const family of kind.kind.derived) derive(family, object, context, ksmIdentity, limits, dropped, theirs);
  appendUnique(theirs, kind.mayRepeat, out, dropped);
  if (out.length <= limits.maxSeriesPerObject) return out;
  dropped.series_limit += out.length - limits.maxSeriesPerObject;
  return out.slice(0, limits.maxSeriesPerObject);
}

/**
 * KSM's series, each once: a malformed object can give one two sources for it (a container status both running and
 * terminated, two containers of one name), which a scrape would reject as duplicate series. Repeats count as taken.
 */
function appendUnique(
  samples: readonly Sample[],
  mayRepeat: ReadonlySet<string>,
  out: Sample[],
  dropped: Dropped,
): void {
  const seen = new Set<string>();
  for (const sample of samples) {
    if (!mayRepeat.has(sample.name)) {
      out.push(sample);
      continue;
    }
    const key = `${sample.name}${sample.labelText}`;
    if (seen.has(key)) dropped.name_taken += 1;
    else {
      seen.add(key);
      out.push(sample);
    }
  }
}

/** Our labels after the identity, as text and, once a family needs them, parsed. */
interface LabelText {
  readonly rest: string;
  labels?: Labels;
}

function labelsOf(text: LabelText): Labels {
  text.labels ??= parseLabels(text.rest);
  return text.labels;
}

/** Adds the family's series for our sample; false when the sample is not the family's (its `where` does not hold). */
function rename(
  { family, asIs, where, defaults, prefix }: Compiled,
  sample: Sample,
  text: LabelText,
  context: KsmContext,
  identity: string,
  out: Sample[],
): boolean {
  if (asIs) {
    if (family.when && !family.when(sample.value, context, labelsOf(text))) return true;
    const value = family.value ? family.value(sample.value, labelsOf(text)) : sample.value;
    out.push({ name: family.to, path: '', help: family.help, labelText: `{${identity}${text.rest}}`, value });
    return true;
  }
  const ours = labelsOf(text);
  if (!where.every(([name, value]) => ours.some(([n, v]) => n === name && v === value))) return false;
  if (family.when && !family.when(sample.value, context, ours)) return true;
  const labels: [string, string][] = [];
  for (const [name, value] of ours) {
    if (where.some(([n]) => n === name)) continue;
    const renamed = family.labels?.[name];
    if (renamed === null || (family.keep && !family.keep.includes(renamed ?? name))) continue;
    labels.push([renamed ?? name, value]);
  }
  if (prefix !== undefined) {
    const resource = sample.name.slice(prefix.length);
    labels.push(['resource', resource], ['unit', resourceUnit(resource)]);
  }
  for (const [name, value] of family.add?.(context, ours) ?? []) labels.push([name, value]);
  for (const [name, value] of defaults) if (!labels.some(([n]) => n === name)) labels.push([name, value]);
  const value = family.value ? family.value(sample.value, labels) : sample.value;
  if (family.conditionStatus === undefined) {
    out.push(ksmSample(family.to, family.help, identity, labels, value));
    return true;
  }
  // A condition's status, 1/0/-1 here, is three series there: status="true|false|unknown", 1 for the current one.
  for (const [status, code] of CONDITION_STATUSES)
    out.push(
      ksmSample(
        family.to,
        family.help,
        identity,
        [...labels, [family.conditionStatus, status]],
        value === code ? 1 : 0,
      ),
    );
  return true;
}

function derive(
  family: DerivedFamily,
  object: unknown,
  context: KsmContext,
  identity: string,
  limits: FlattenLimits,
  dropped: Dropped,
  out: Sample[],
): void {
  for (const [labels, value] of family.samples(object, context)) {
    if (labels.some(([, text]) => text.length > limits.maxLabelValueLength)) dropped.label_length += 1;
    else out.push(ksmSample(family.name, family.help, identity, labels, value));
  }
}

function ksmSample(name: string, help: string, identity: string, labels: Labels, value: number): Sample {
  const pairs = renderLabelPairs(labels.filter(([, text]) => text !== ''));
  return { name, path: '', help, labelText: `{${identity}${pairs === '' ? '' : `,${pairs}`}}`, value };
}
