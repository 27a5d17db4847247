/**
 * The render stage: one object → the samples the store keeps for it. The object's fields are flattened
 * (src/metrics/flatten.ts), its declared string fields rendered (src/metrics/declared.ts), the kind's extra families
 * added (pods: k8s_pod_container_info), with --metric-names=ksm renamed to kube-state-metrics' families
 * (src/metrics/ksm-names.ts), and the cardinality filter applied (src/metrics/cardinality.ts). The limits
 * bound the object as a whole: its declared and extra families count against --max-series-per-object with its
 * fields, and an identity too long for a label exports nothing at all.
 */

import type { KindSpec } from '../kinds/table.js';
import { CONTAINER_INFO_METRIC, containerInfoSamples } from './container-info.js';
import { builtInDeclared, type DeclaredConfig, renderDeclared } from './declared.js';
import type { Sample } from './exposition.js';
import {
  DROP_REASONS,
  type Dropped,
  type DropReason,
  type FlattenLimits,
  flatten,
  identityFits,
  NO_LIMITS,
  noneDropped,
  type ObjectIdentity,
} from './flatten.js';
import { ksmSamples, type MetricNaming } from './ksm-names.js';

export interface RenderOptions {
  readonly limits?: FlattenLimits;
  /** Told what the limits held back from each object as it is flattened. */
  readonly onDropped?: (kind: KindSpec, reason: DropReason, count: number) => void;
  /** Decides which of an object's samples are stored (cardinality control, src/metrics/cardinality.ts). */
  readonly filterSamples?: (kind: KindSpec, samples: readonly Sample[]) => readonly Sample[];
  /** Declared fields and opt-in labels (src/metrics/declared.ts); else the built-in declarations. */
  readonly declared?: DeclaredConfig;
  /** `ksm`: families kube-state-metrics has under its names and labels (src/metrics/ksm-names.ts); default `k8s`. */
  readonly metricNames?: MetricNaming;
}

interface ExtraFamily {
  /** The family's metric name: reserved, no field of the kind may export under it. */
  readonly name: string;
  readonly samples: (object: unknown, limits: FlattenLimits, dropped: Dropped) => Sample[];
}

/** Families beyond the flattened fields, per kind (by metric name), following the object's own. */
const EXTRA_FAMILIES: Readonly<Record<string, readonly ExtraFamily[]>> = {
  pod: [{ name: CONTAINER_INFO_METRIC, samples: containerInfoSamples }],
};

/** Per kind, the extra families' names. */
const RESERVED_NAMES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(EXTRA_FAMILIES).map(([kind, families]) => [kind, new Set(families.map((family) => family.name))]),
);

export function renderObject(
  kind: KindSpec,
  identity: ObjectIdentity,
  object: unknown,
  options: RenderOptions,
): readonly Sample[] {
  const limits = options.limits ?? NO_LIMITS;
  const dropped = noneDropped();
  const fits = identityFits(identity, limits);
  if (!fits) dropped.label_length += 1;
  const ours = fits ? renderWithin(kind, identity, object, limits, dropped, options.declared ?? builtInDeclared()) : [];
  const samples =
    options.metricNames === 'ksm' && fits ? ksmSamples(kind.metricName, identity, object, ours, limits, dropped) : ours;
  for (const reason of DROP_REASONS) if (dropped[reason] > 0) options.onDropped?.(kind, reason, dropped[reason]);
  return options.filterSamples ? options.filterSamples(kind, samples) : samples;
}

function renderWithin(
  kind: KindSpec,
  identity: ObjectIdentity,
  object: unknown,
  limits: FlattenLimits,
  dropped: Dropped,
  declared: DeclaredConfig,
): Sample[] {
  const flattened = flatten(`k8s_${kind.metricName}`, identity, object, limits, dropped);
  renderDeclared(kind.metricName, identity, object, flattened, limits, dropped, declared);
  const extras = EXTRA_FAMILIES[kind.metricName];
  if (extras === undefined) return flattened;
  // A field that would be named like an extra family (a pod's `container.info`) must not add series to it.
  const reserved = RESERVED_NAMES.get(kind.metricName)!;
  const samples = flattened.filter((sample) => !reserved.has(sample.name));
  dropped.name_taken += flattened.length - samples.length;
  for (const extra of extras) {
    for (const sample of extra.samples(object, limits, dropped)) {
      if (samples.length < limits.maxSeriesPerObject) samples.push(sample);
      else dropped.series_limit += 1;
    }
  }
  return samples;
}
