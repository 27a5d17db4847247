/** Which namespaces the LeanIX views show: an include list (empty = all) minus an exclude list. Pure. */

export interface NamespaceFilter {
  /** Only these namespaces; empty means every namespace. */
  readonly include: ReadonlySet<string>;
  readonly exclude: ReadonlySet<string>;
}

export function namespaceVisible(filter: NamespaceFilter, namespace: string): boolean {
  return (filter.include.size === 0 || filter.include.has(namespace)) && !filter.exclude.has(namespace);
}

/** The namespaced objects the filter lets through. */
export function visibleObjects<T extends { readonly metadata?: { readonly namespace?: unknown } }>(
  filter: NamespaceFilter,
  objects: Iterable<T>,
): T[] {
  return [...objects].filter((object) => namespaceVisible(filter, String(object.metadata?.namespace ?? '')));
}
