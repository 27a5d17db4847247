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

/** A kind's table, ready to apply: renamed families by our family name, resource families by prefix. */
interface CompiledKind {
  readonly kind: KsmKind;
  readonly byName: ReadonlyMap<string, readonly RenamedFamily[]>;
  readonly byPrefix: ReadonlyArray<readonly [prefix: string, family: RenamedFamily]>;
  /** Our families a derived family stands for: their series are left out. */
  readonly replaced: ReadonlySet<string>;
  /** Per metric name seen, the renamed families that claim it (a name under a prefix is looked up once). */
  readonly claims: Map<string, readonly RenamedFamily[]>;
}

const compiled = new Map<string, CompiledKind>();

function compiledKind(metricName: string): CompiledKind | undefined {
  const kind = KSM_FAMILIES[metricName];
  if (kind === undefined) return undefined;
  let entry = compiled.get(metricName);
  if (entry === undefined) {
    const byName = new Map<string, RenamedFamily[]>();
    const byPrefix: [string, RenamedFamily][] = [];
    for (const family of kind.renamed) {
      if (family.from.endsWith('*')) byPrefix.push([family.from.slice(0, -1), family]);
      else byName.set(family.from, [...(byName.get(family.from) ?? []), family]);
    }
    const replaced = new Set(kind.derived.flatMap((family) => family.replaces ?? []));
    entry = { kind, byName, byPrefix, replaced, claims: new Map() };
    compiled.set(metricName, entry);
  }
  return entry;
}

/** Bounds the per-name lookups an object with endless distinct field names could add. */
const MAX_REMEMBERED_CLAIMS = 10_000;

function claimsOf(kind: CompiledKind, name: string): readonly RenamedFamily[] {
  let claims = kind.claims.get(name);
  if (claims === undefined) {
    claims = kind.byName.get(name) ?? kind.byPrefix.filter(([prefix]) => name.startsWith(prefix)).map(([, f]) => f);
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
  for (const sample of samples) {
    // Our labels start with the identity; the rest (`,container="app"...}`) is what the table reads.
    const rest = sample.labelText.startsWith(ourIdentity) ? sample.labelText.slice(ourIdentity.length, -1) : undefined;
    const claims = rest === undefined ? [] : claimsOf(kind, sample.name);
    if (claims.length === 0) {
      if (!kind.replaced.has(sample.name)) out.push(sample);
      continue;
    }
    let labels: Labels | undefined;
    const ours = () => (labels ??= parseLabels(rest!));
    let claimed = false;
    for (const family of claims) claimed = rename(family, sample, rest!, ours, context, ksmIdentity, out) || claimed;
    // A series no family takes (a pod condition KSM has no family for) keeps its name.
    if (!claimed) out.push(sample);
  }
  for (const family of kind.kind.derived) derive(family, object, context, ksmIdentity, limits, dropped, out);
  if (out.length <= limits.maxSeriesPerObject) return out;
  dropped.series_limit += out.length - limits.maxSeriesPerObject;
  return out.slice(0, limits.maxSeriesPerObject);
}

/** Families that take our labels as they are: their label text is ours with KSM's identity, nothing parsed. */
const asIs = new WeakMap<RenamedFamily, boolean>();

function takesLabelsAsIs(family: RenamedFamily): boolean {
  let verdict = asIs.get(family);
  if (verdict === undefined) {
    const { where, labels, keep, defaults, add, conditionStatus, from } = family;
    verdict = !(where || labels || keep || defaults || add || conditionStatus || from.endsWith('*'));
    asIs.set(family, verdict);
  }
  return verdict;
}

/** Adds the family's series for our sample; false when the sample is not the family's (its `where` does not hold). */
function rename(
  family: RenamedFamily,
  sample: Sample,
  rest: string,
  parsed: () => Labels,
  context: KsmContext,
  identity: string,
  out: Sample[],
): boolean {
  if (takesLabelsAsIs(family)) {
    if (family.when && !family.when(sample.value, context, parsed())) return true;
    const value = family.value ? family.value(sample.value, parsed()) : sample.value;
    out.push({ name: family.to, path: '', help: family.help, labelText: `{${identity}${rest}}`, value });
    return true;
  }
  const ours = parsed();
  const where = family.where ?? {};
  if (!Object.entries(where).every(([name, value]) => ours.some(([n, v]) => n === name && v === value))) return false;
  if (family.when && !family.when(sample.value, context, ours)) return true;
  const labels: [string, string][] = [];
  for (const [name, value] of ours) {
    if (name in where) continue;
    const renamed = family.labels?.[name];
    if (renamed === null || (family.keep && !family.keep.includes(renamed ?? name))) continue;
    labels.push([renamed ?? name, value]);
  }
  if (family.from.endsWith('*')) {
    const resource = sample.name.slice(family.from.length - 1);
    labels.push(['resource', resource], ['unit', resourceUnit(resource)]);
  }
  for (const [name, value] of family.add?.(context, ours) ?? []) labels.push([name, value]);
  for (const [name, value] of Object.entries(family.defaults ?? {}))
    if (!labels.some(([n]) => n === name)) labels.push([name, value]);
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
