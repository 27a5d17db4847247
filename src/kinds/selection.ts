/**
 * Which kinds to watch: the defaults plus what `--kinds` names. A name is a KINDS table entry (`daemonset` or
 * `daemonsets`) or any resource as `group/version/plural` (`stable.example.com/v1/crontabs`), whose kind, singular
 * name and scope come from API discovery (`GET /apis/<group>/<version>`) at start-up.
 */

import { collectionPath, DEFAULT_KINDS, KINDS, type KindSpec } from './table.js';

export type KindReference =
  | { readonly type: 'table'; readonly kind: KindSpec }
  | { readonly type: 'resource'; readonly group: string; readonly version: string; readonly plural: string };

/** One entry of an APIResourceList, as discovery serves it. */
export interface DiscoveredResource {
  readonly name: string;
  readonly singularName?: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly verbs?: readonly string[];
}

/** `GET /apis/<group>/<version>`: the resources of one group version. */
export type Discover = (group: string, version: string) => Promise<readonly DiscoveredResource[]>;

const NAME_PART = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Never exported, whatever the configuration says. */
const FORBIDDEN_PLURALS = new Set(['secrets']);

/** Parses the comma-separated `--kinds` list. Pure; throws a plain Error with the offending entry. */
export function parseKindList(text: string): KindReference[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map(parseKindReference);
}

function parseKindReference(entry: string): KindReference {
  const parts = entry.split('/');
  if (parts.length === 1) {
    const kind = KINDS.find((candidate) => candidate.metricName === entry || candidate.plural === entry);
    if (!kind)
      throw new Error(
        `unknown kind "${entry}": expected one of ${KINDS.map((candidate) => candidate.metricName).join(', ')}, or group/version/plural`,
      );
    return { type: 'table', kind };
  }
  const [group, version, plural] = parts;
  if (parts.length !== 3 || ![group, version, plural].every((part) => NAME_PART.test(part))) {
    throw new Error(`"${entry}" is not group/version/plural (e.g. stable.example.com/v1/crontabs)`);
  }
  if (FORBIDDEN_PLURALS.has(plural)) throw new Error(`${plural} are never exported`);
  return { type: 'resource', group, version, plural };
}

/** The defaults plus the referenced kinds, each once; resources are looked up through discovery. */
export async function resolveKinds(references: readonly KindReference[], discover: Discover): Promise<KindSpec[]> {
  const kinds = [...DEFAULT_KINDS];
  for (const reference of references) {
    const kind = reference.type === 'table' ? reference.kind : await discoverKind(reference, discover);
    const path = collectionPath(kind);
    if (kinds.some((known) => collectionPath(known) === path)) continue;
    const clash = kinds.find((known) => known.metricName === kind.metricName);
    if (clash) throw new Error(`${path} would export as k8s_${kind.metricName}_*, like ${collectionPath(clash)}`);
    kinds.push(kind);
  }
  return kinds;
}

async function discoverKind(
  { group, version, plural }: Extract<KindReference, { type: 'resource' }>,
  discover: Discover,
): Promise<KindSpec> {
  const known = KINDS.find((kind) => kind.group === group && kind.version === version && kind.plural === plural);
  if (known) return known;
  const resources = await discover(group, version);
  const resource = resources.find((candidate) => candidate.name === plural);
  if (!resource) throw new Error(`the API server does not serve ${plural} in ${group}/${version}`);
  if (resource.verbs && !['list', 'watch'].every((verb) => resource.verbs!.includes(verb))) {
    throw new Error(`${group}/${version}/${plural} cannot be listed and watched`);
  }
  const singular = resource.singularName || resource.kind.toLowerCase();
  return {
    metricName: singular.replace(/[^a-zA-Z0-9_]/g, '_'),
    group,
    version,
    plural,
    kind: resource.kind,
    namespaced: resource.namespaced,
  };
}

/** One problem per name in `names` that is not a watched kind, for a flag that names kinds. */
export function unwatchedKindProblems(flag: string, names: Iterable<string>, kinds: readonly KindSpec[]): string[] {
  const watched = kinds.map((kind) => kind.metricName);
  return [...names]
    .filter((name) => !watched.includes(name))
    .map((name) => `${flag} names ${name}, which is not watched (watched: ${watched.join(', ')})`);
}
