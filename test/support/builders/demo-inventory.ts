/**
 * The demo cluster (src/demo/cluster.ts) in a cache with a deployment history, made deterministic for golden files:
 * uids, creation times and container ids (random in the demo) are fixed, and the clock is fake. The history sees
 * one helloworld rollout observed at 11:30 and completed at 11:31.
 */

import { ClusterCache } from '../../../src/cache.js';
import { seedDemoCluster } from '../../../src/demo/cluster.js';
import { SimulatedApiServer } from '../../../src/demo/simulated-apiserver.js';
import { DEPLOYMENT, KINDS, type KindSpec, kindByMetricName } from '../../../src/kinds/table.js';
import { DeploymentHistory } from '../../../src/leanix/deployment-history.js';
import type { InventoryObjects } from '../../../src/leanix/v2.js';
import type { KubeObject } from '../../../src/objects/kube-object.js';

export const DEMO_STARTED_AT = new Date('2026-01-01T11:00:00.000Z');
export const DEMO_NOW = new Date('2026-01-01T12:00:00.000Z');
export const DEMO_LAST_UPDATE = new Date('2026-01-01T11:31:00.000Z');

const deployment = DEPLOYMENT;

function normalised(kind: KindSpec, object: any): KubeObject {
  const copy = structuredClone(object);
  copy.metadata.uid = `uid-${kind.metricName}-${copy.metadata.namespace ?? ''}-${copy.metadata.name}`.replace(
    '--',
    '-',
  );
  copy.metadata.creationTimestamp = '2026-01-01T10:00:00Z';
  for (const status of copy.status?.containerStatuses ?? [])
    if (status.containerID?.startsWith('containerd://')) status.containerID = `containerd://${'cd'.repeat(32)}`;
  return copy;
}

export function demoInventory(): { cache: ClusterCache; history: DeploymentHistory; objects: InventoryObjects } {
  const api = new SimulatedApiServer();
  seedDemoCluster(api);
  let now = new Date('2026-01-01T11:00:00.000Z');
  const cache = new ClusterCache();
  const history = new DeploymentHistory({ perDeployment: 20, total: 100, startedAt: DEMO_STARTED_AT, now: () => now });
  cache.onChange((change) => history.observe(change));
  for (const kind of KINDS) for (const object of api.list(kind)) cache.upsert(kind, normalised(kind, object));
  const syncHelloworld = () =>
    cache.upsert(deployment, normalised(deployment, api.get(deployment, 'default', 'helloworld')));
  now = new Date('2026-01-01T11:30:00.000Z');
  api.update(deployment, 'default', 'helloworld', (object) => {
    object.spec.template.spec.containers[0].image = 'giantswarm/helloworld:1.1';
    object.status.updatedReplicas = 0;
  });
  syncHelloworld();
  now = DEMO_LAST_UPDATE;
  api.update(deployment, 'default', 'helloworld', (object) => {
    object.status.observedGeneration = object.metadata.generation;
    object.status.updatedReplicas = object.spec.replicas;
  });
  syncHelloworld();
  const objectsOf = (metricName: string) => [...cache.objects(kindByMetricName(metricName)!)];
  const objects = {
    services: objectsOf('service'),
    deployments: objectsOf('deployment'),
    pods: objectsOf('pod'),
    nodes: objectsOf('node'),
    statefulSets: objectsOf('statefulset'),
    daemonSets: objectsOf('daemonset'),
  };
  return { cache, history, objects };
}
