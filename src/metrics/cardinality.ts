/**
 * Cardinality control, applied when an object is rendered: metric names allowed and denied by `*` globs, then a
 * per-kind cap on series per object (the first N in flattening order are kept). Every dropped sample is reported to
 * `onDropped`, for the self-metrics. Pure apart from that callback.
 */

import { isMatch } from 'matcher';
import { unwatchedKindProblems } from '../kinds/selection.js';
import type { KindSpec } from '../kinds/table.js';
import type { Sample } from './exposition.js';

export interface CardinalityRules {
  /** Globs; empty allows every name. */
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Kind (metric name) → most series per object. */
  readonly seriesLimits: ReadonlyMap<string, number>;
}

export type DropReason = 'denied' | 'limit';

export type SampleFilter = (kind: KindSpec, samples: readonly Sample[]) => readonly Sample[];

export function sampleFilter(
  rules: CardinalityRules,
  onDropped: (kind: KindSpec, reason: DropReason, count: number) => void,
): SampleFilter {
  const decided = new Map<string, boolean>();
  const allowed = (name: string) => {
    let verdict = decided.get(name);
    if (verdict === undefined) {
      verdict =
        (rules.allow.length === 0 || isMatch(name, rules.allow)) &&
        !(rules.deny.length > 0 && isMatch(name, rules.deny));
      decided.set(name, verdict);
    }
    return verdict;
  };
  const filtersNames = rules.allow.length > 0 || rules.deny.length > 0;
  return (kind, samples) => {
    const named = filtersNames ? samples.filter((sample) => allowed(sample.name)) : samples;
    if (named.length < samples.length) onDropped(kind, 'denied', samples.length - named.length);
    const limit = rules.seriesLimits.get(kind.metricName);
    if (limit === undefined || named.length <= limit) return named;
    onDropped(kind, 'limit', named.length - limit);
    return named.slice(0, limit);
  };
}

/** Comma-separated metric name globs (`k8s_pod_status_*`, `*_generation`). */
export function parseGlobs(text: string): string[] {
  const globs = text
    .split(',')
    .map((glob) => glob.trim())
    .filter(Boolean);
  const bad = globs.find((glob) => !/^[a-zA-Z0-9_:*]+$/.test(glob));
  if (bad !== undefined)
    throw new Error(`"${bad}" is not a metric name glob (letters, digits, _ and :, with * for any run)`);
  return globs;
}

/** `pod=200,node=500`. */
export function parseSeriesLimits(text: string): Map<string, number> {
  const limits = new Map<string, number>();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9_]+)=(\d+)$/.exec(entry);
    if (!match || Number(match[2]) < 1) throw new Error(`"${entry}" is not KIND=N with N at least 1 (e.g. pod=200)`);
    limits.set(match[1], Number(match[2]));
  }
  return limits;
}

/** Limits naming kinds that are not watched. */
export function cardinalityProblems(rules: CardinalityRules, kinds: readonly KindSpec[]): string[] {
  return unwatchedKindProblems('--kind-series-limit', rules.seriesLimits.keys(), kinds);
}
