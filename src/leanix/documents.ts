/** The LeanIX documents (v1, v2, LDIF) rendered from the one cache, the deployment history and the namespace filter. */

import _ from 'lodash';
import type { ClusterCache } from '../cache.js';
import { kindByMetricName } from '../kinds/table.js';
import type { DeploymentHistory } from './deployment-history.js';
import { type Ldif, type LdifHeader, renderLdif } from './ldif.js';
import type { NamespaceFilter } from './namespace-filter.js';
import { type LeanixInventory, renderLeanix } from './v1.js';
import { type LeanixInventoryV2, renderLeanixV2 } from './v2.js';

export interface LeanixSources {
  readonly cache: ClusterCache;
  readonly history: DeploymentHistory;
  readonly filter: NamespaceFilter;
  readonly ldifHeader: LdifHeader;
}

export interface LeanixDocuments {
  v1(): LeanixInventory;
  v2(): LeanixInventoryV2;
  ldif(): Ldif;
}

const kind = (metricName: string) => kindByMetricName(metricName)!;

/** The kind each part of the v2 document (and so of the LDIF) is made of. */
const V2_SOURCES = {
  services: 'service',
  deployments: 'deployment',
  pods: 'pod',
  nodes: 'node',
  statefulSets: 'statefulset',
  daemonSets: 'daemonset',
} as const;

/** The kinds the LDIF is made of: a change to any other kind cannot change it, so need not wake the pusher. */
export const LDIF_KINDS: ReadonlySet<string> = new Set(Object.values(V2_SOURCES));

export function leanixDocuments({ cache, history, filter, ldifHeader }: LeanixSources): LeanixDocuments {
  const v2 = () =>
    renderLeanixV2(
      _.mapValues(V2_SOURCES, (metricName) => cache.objects(kind(metricName))),
      filter,
      cache.lastChange,
      history.view(filter),
    );
  return {
    v1: () => renderLeanix(cache.objects(kind('pod')), filter, cache.lastChange),
    v2,
    ldif: () => renderLdif(v2(), ldifHeader),
  };
}
