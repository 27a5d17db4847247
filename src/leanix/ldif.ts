/**
 * The inventory as a LeanIX Data Interchange Format (LDIF) document, for LeanIX's Integration API: a header naming
 * the connector, and `content`, one `{type, id, data}` per Kubernetes object, with the object's uid as id so that a
 * re-import updates fact sheets instead of duplicating them. Pure: the v2 inventory in, LDIF out.
 *
 * Field names and values follow LeanIX's Integration API documentation, https://dev.leanix.net/docs/integration-api
 * (LDIF header fields; `lxVersion` "1.0.0"; `processingDirection` "inbound"), and its sample LDIF from a Kubernetes
 * connector (`connectorType` "Kubernetes", content types named after the Kubernetes kind, e.g. "Deployment").
 * `processingMode` is "full": every document carries the whole inventory, so objects missing from it are gone.
 * Nothing in it depends on the clock, so an unchanged cluster gives a byte-identical document.
 */

import type { Rollout } from './deployment-history.js';
import type { LeanixInventoryV2 } from './v2.js';

const LDIF_CONNECTOR_TYPE = 'Kubernetes';
const LDIF_LX_VERSION = '1.0.0';
/** The version of this document's shape, which an Integration API processor configuration is written against. */
export const LDIF_CONNECTOR_VERSION = '1.0.0';

export interface LdifContent {
  readonly type: 'Cluster' | 'Node' | 'Service' | 'Deployment' | 'Pod' | 'StatefulSet' | 'DaemonSet';
  readonly id: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Ldif {
  readonly connectorType: string;
  readonly connectorId: string;
  readonly connectorVersion: string;
  readonly lxVersion: string;
  readonly description: string;
  readonly processingDirection: 'inbound';
  readonly processingMode: 'full';
  readonly content: readonly LdifContent[];
}

export interface LdifHeader {
  /** Names this cluster's connector instance; also the id of the Cluster entry. */
  readonly connectorId: string;
  /** Must match the connector version of the Integration API processor configuration. */
  readonly connectorVersion: string;
}

/** The uid; for an object the API served without one, its kind and name, which are unique too. */
function idOf(uid: string, kind: string, namespace: string, name: string): string {
  return uid || `${kind}/${namespace}/${name}`;
}

export function renderLdif(inventory: LeanixInventoryV2, header: LdifHeader): Ldif {
  const rolloutsByUid = new Map<string, Rollout[]>();
  for (const rollout of inventory.deploymentHistory.rollouts) {
    const rollouts = rolloutsByUid.get(rollout.uid) ?? [];
    rollouts.push(rollout);
    rolloutsByUid.set(rollout.uid, rollouts);
  }
  const content: LdifContent[] = [
    { type: 'Cluster', id: header.connectorId, data: { name: header.connectorId, resources: inventory.cluster } },
    ...inventory.nodes.map(
      ({ uid, ...node }): LdifContent => ({ type: 'Node', id: idOf(uid, 'Node', '', node.name), data: node }),
    ),
  ];
  for (const { name: namespace, services, deployments, pods, statefulSets, daemonSets } of inventory.namespaces) {
    for (const { uid, ...service } of services) {
      content.push({
        type: 'Service',
        id: idOf(uid, 'Service', namespace, service.name),
        data: { namespace, ...service },
      });
    }
    for (const { uid, ...deployment } of deployments) {
      const rollouts = (rolloutsByUid.get(uid) ?? []).map(
        ({ namespace: _namespace, name: _name, uid: _uid, ...rollout }) => rollout,
      );
      content.push({
        type: 'Deployment',
        id: idOf(uid, 'Deployment', namespace, deployment.name),
        data: { namespace, ...deployment, rollouts },
      });
    }
    for (const { uid, ...pod } of pods) {
      content.push({ type: 'Pod', id: idOf(uid, 'Pod', namespace, pod.name), data: { namespace, ...pod } });
    }
    for (const [type, workloads] of [
      ['StatefulSet', statefulSets],
      ['DaemonSet', daemonSets],
    ] as const) {
      for (const { uid, ...workload } of workloads)
        content.push({ type, id: idOf(uid, type, namespace, workload.name), data: { namespace, ...workload } });
    }
  }
  return {
    connectorType: LDIF_CONNECTOR_TYPE,
    connectorId: header.connectorId,
    connectorVersion: header.connectorVersion,
    lxVersion: LDIF_LX_VERSION,
    description: 'Kubernetes inventory from kube-api-exporter',
    processingDirection: 'inbound',
    processingMode: 'full',
    content,
  };
}
