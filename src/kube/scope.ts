/**
 * What part of each kind to watch, as the API server filters it: `--namespaces` (one list+watch per namespace),
 * `--namespaces-exclude` (`metadata.namespace!=` field selectors), `--label-selector` and `--field-selector` per
 * kind. Cluster-scoped kinds ignore the namespace flags. Pure: config in, list+watch targets out.
 */

import { unwatchedKindProblems } from '../kinds/selection.js';
import { collectionPath, type KindSpec } from '../kinds/table.js';
import { labelSelector } from './selectors.js';

export interface Scope {
  /** Empty: all namespaces. */
  readonly namespaces: readonly string[];
  readonly namespacesExclude: readonly string[];
  /** Kind (metric name) → selector. */
  readonly labelSelectors: ReadonlyMap<string, string>;
  readonly fieldSelectors: ReadonlyMap<string, string>;
}

/** One list+watch: a collection path and the selectors sent with it. */
export interface WatchTarget {
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** `pod=app=web;deployment=tier in (a,b)`: `;`-separated, since selectors contain commas. */
export function parseKindSelectors(
  text: string,
  validate: (selector: string) => unknown = () => {},
): Map<string, string> {
  const selectors = new Map<string, string>();
  for (const entry of text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const cut = entry.indexOf('=');
    const kind = entry.slice(0, cut).trim();
    const selector = entry.slice(cut + 1).trim();
    if (cut <= 0 || !/^[a-z0-9_]+$/.test(kind)) throw new Error(`"${entry}" is not KIND=SELECTOR (e.g. pod=app=web)`);
    if (selectors.has(kind)) throw new Error(`two selectors for ${kind}: join them with a comma`);
    validate(selector);
    selectors.set(kind, selector);
  }
  return selectors;
}

export const parseLabelSelectors = (text: string) => parseKindSelectors(text, labelSelector);

/** What is wrong with the scope for these kinds: selectors naming a kind that is not watched. */
export function scopeProblems(scope: Scope, kinds: readonly KindSpec[]): string[] {
  return [
    ...unwatchedKindProblems('--label-selector', scope.labelSelectors.keys(), kinds),
    ...unwatchedKindProblems('--field-selector', scope.fieldSelectors.keys(), kinds),
  ];
}

export function watchTargets(kind: KindSpec, scope: Scope): WatchTarget[] {
  const labels = scope.labelSelectors.get(kind.metricName);
  const fields = scope.fieldSelectors.get(kind.metricName);
  const target = (path: string, fieldSelector: string | undefined): WatchTarget => ({
    path,
    ...(labels && { labelSelector: labels }),
    ...(fieldSelector && { fieldSelector }),
  });
  if (!kind.namespaced) return [target(collectionPath(kind), fields)];
  if (scope.namespaces.length > 0) {
    const namespaces = scope.namespaces.filter((namespace) => !scope.namespacesExclude.includes(namespace));
    return namespaces.map((namespace) => target(namespacedPath(kind, namespace), fields));
  }
  const exclusions = scope.namespacesExclude.map((namespace) => `metadata.namespace!=${namespace}`);
  return [target(collectionPath(kind), [fields, ...exclusions].filter(Boolean).join(',') || undefined)];
}

/** `/api/v1/namespaces/<namespace>/pods`, `/apis/apps/v1/namespaces/<namespace>/deployments`. */
export function namespacedPath(kind: KindSpec, namespace: string): string {
  const base = collectionPath(kind);
  return `${base.slice(0, -kind.plural.length)}namespaces/${namespace}/${kind.plural}`;
}
