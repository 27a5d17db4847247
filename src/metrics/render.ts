/**
 * The render stage: one object → the samples the store keeps for it. The object's fields are flattened
 * (src/metrics/flatten.ts), its declared string fields rendered (src/metrics/declared.ts), the kind's extra families
 * added (pods: k8s_pod_container_info), and the cardinality filter applied (src/metrics/cardinality.ts).
 */

import type { KindSpec } from '../kinds/table.js';
import { containerInfoSamples } from './container-info.js';
import { builtInDeclared, type DeclaredConfig, renderDeclared } from './declared.js';
import type { Sample } from './exposition.js';
import {
  DROP_REASONS,
  type DropReason,
  type FlattenLimits,
  flatten,
  NO_LIMITS,
  noneDropped,
  type ObjectIdentity,
} from './flatten.js';

export interface RenderOptions {
  readonly limits?: FlattenLimits;
  /** Told what the limits held back from each object as it is flattened. */
  readonly onDropped?: (kind: KindSpec, reason: DropReason, count: number) => void;
  /** Decides which of an object's samples are stored (cardinality control, src/metrics/cardinality.ts). */
  readonly filterSamples?: (kind: KindSpec, samples: readonly Sample[]) => readonly Sample[];
  /** Declared fields and opt-in labels (src/metrics/declared.ts); else the built-in declarations. */
  readonly declared?: DeclaredConfig;
}

/** Families beyond the flattened fields, per kind (by metric name), following the object's own. */
const EXTRA_FAMILIES: Readonly<Record<string, (object: unknown) => Sample[]>> = { pod: containerInfoSamples };

export function renderObject(
  kind: KindSpec,
  identity: ObjectIdentity,
  object: unknown,
  options: RenderOptions,
): readonly Sample[] {
  const dropped = noneDropped();
  const limits = options.limits ?? NO_LIMITS;
  const samples = flatten(`k8s_${kind.metricName}`, identity, object, limits, dropped);
  renderDeclared(kind.metricName, identity, object, samples, limits, dropped, options.declared ?? builtInDeclared());
  const extra = EXTRA_FAMILIES[kind.metricName];
  if (extra) samples.push(...extra(object));
  for (const reason of DROP_REASONS) if (dropped[reason] > 0) options.onDropped?.(kind, reason, dropped[reason]);
  return options.filterSamples ? options.filterSamples(kind, samples) : samples;
}
