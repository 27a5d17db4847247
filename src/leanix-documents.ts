/** The LeanIX documents (v1, v2, LDIF) rendered from the one cache, the deployment history and the namespace filter. */

import type { ClusterCache } from './cache.js';
import type { DeploymentHistory } from './deployment-history.js';
import { kindByMetricName } from './kinds.js';
import { type LeanixInventory, renderLeanix } from './leanix.js';
import { type Ldif, type LdifHeader, renderLdif } from './leanix-ldif.js';
import { type LeanixInventoryV2, renderLeanixV2 } from './leanix-v2.js';
import type { NamespaceFilter } from './namespace-filter.js';

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

export function leanixDocuments({ cache, history, filter, ldifHeader }: LeanixSources): LeanixDocuments {
  const v2 = () =>
    renderLeanixV2(
      {
        services: cache.objects(kind('service')),
        deployments: cache.objects(kind('deployment')),
        pods: cache.objects(kind('pod')),
        nodes: cache.objects(kind('node')),
        statefulSets: cache.objects(kind('statefulset')),
        daemonSets: cache.objects(kind('daemonset')),
      },
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
