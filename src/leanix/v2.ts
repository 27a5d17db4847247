/**
 * The full LeanIX inventory (`/leanix/v2.json`): per namespace its services, deployments, pods, and the statefulsets
 * and daemonsets when `--kinds` watches them (else empty); per node its
 * capacity, allocatable resources and nodeInfo; cluster totals; and the deployment history. Pure: cached objects in,
 * document out. Quantities are numbers in base units (CPU in cores, memory in bytes), as on /metrics.
 */

import _ from 'lodash';
import { optionalNumber, optionalText, quantities, record, records, stringMap, text } from '../objects/fields.js';
import type { KubeObject } from '../objects/kube-object.js';
import { type ContainerResources, containerResources, templateSpec } from '../objects/pod-template.js';
import { type ClusterResources, clusterResources } from './cluster-resources.js';
import type { DeploymentHistoryView } from './deployment-history.js';
import { type NamespaceFilter, visibleObjects } from './namespace-filter.js';

export interface InventoryObjects {
  readonly services: Iterable<KubeObject>;
  readonly deployments: Iterable<KubeObject>;
  readonly pods: Iterable<KubeObject>;
  readonly nodes: Iterable<KubeObject>;
  readonly statefulSets: Iterable<KubeObject>;
  readonly daemonSets: Iterable<KubeObject>;
}

export interface ServiceView {
  readonly name: string;
  readonly uid: string;
  readonly type: string;
  readonly clusterIP: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<{
    name?: string;
    protocol: string;
    port?: number;
    targetPort?: number | string;
    nodePort?: number;
  }>;
}

export interface DeploymentView {
  readonly name: string;
  readonly uid: string;
  readonly generation?: number;
  readonly observedGeneration?: number;
  readonly replicas: {
    readonly desired: number;
    readonly updated: number;
    readonly ready: number;
    readonly available: number;
  };
  readonly images: readonly string[];
  readonly containers: readonly ContainerResources[];
  readonly conditions: ReadonlyArray<{ type: string; status: string; reason?: string; lastTransitionTime?: string }>;
}

export interface PodView {
  readonly name: string;
  readonly uid: string;
  readonly status: string;
  readonly containerStatuses: readonly unknown[];
}

export interface NodeView {
  readonly name: string;
  readonly uid: string;
  readonly unschedulable: boolean;
  readonly capacity: Readonly<Record<string, number>>;
  readonly allocatable: Readonly<Record<string, number>>;
  readonly nodeInfo: Readonly<Record<string, string>>;
}

export interface NamespaceView {
  readonly name: string;
  readonly services: readonly ServiceView[];
  readonly deployments: readonly DeploymentView[];
  readonly pods: readonly PodView[];
  readonly statefulSets: readonly DeploymentView[];
  readonly daemonSets: readonly DeploymentView[];
}

export interface LeanixInventoryV2 {
  readonly version: 2;
  /** RFC 3339 time of the last cache change; null until the first object has been seen. */
  readonly lastUpdate: string | null;
  readonly cluster: ClusterResources;
  readonly nodes: readonly NodeView[];
  readonly namespaces: readonly NamespaceView[];
  readonly deploymentHistory: DeploymentHistoryView;
}

const uidOf = (object: KubeObject) => text(record(object.metadata).uid);
const nameOf = (object: KubeObject) => text(object.metadata?.name);
const namespaceOf = (object: KubeObject) => text(object.metadata?.namespace);

export function serviceView(service: KubeObject): ServiceView {
  const spec = record(service.spec);
  return {
    name: nameOf(service),
    uid: uidOf(service),
    type: optionalText(spec.type) ?? 'ClusterIP',
    clusterIP: text(spec.clusterIP),
    selector: stringMap(spec.selector),
    ports: records(spec.ports).map((port) => ({
      name: optionalText(port.name),
      protocol: optionalText(port.protocol) ?? 'TCP',
      port: optionalNumber(port.port),
      targetPort: optionalNumber(port.targetPort) ?? optionalText(port.targetPort),
      nodePort: optionalNumber(port.nodePort),
    })),
  };
}

/** Deployments and statefulsets: the same replica counts in spec and status. */
export function deploymentView(deployment: KubeObject): DeploymentView {
  const status = record(deployment.status);
  return workloadView(deployment, {
    // The API server defaults spec.replicas to 1; absent status counts mean none.
    desired: optionalNumber(record(deployment.spec).replicas) ?? 1,
    updated: optionalNumber(status.updatedReplicas) ?? 0,
    ready: optionalNumber(status.readyReplicas) ?? 0,
    available: optionalNumber(status.availableReplicas) ?? 0,
  });
}

/** A daemonset's pods are counted per node it should run on. */
function daemonSetView(daemonSet: KubeObject): DeploymentView {
  const status = record(daemonSet.status);
  return workloadView(daemonSet, {
    desired: optionalNumber(status.desiredNumberScheduled) ?? 0,
    updated: optionalNumber(status.updatedNumberScheduled) ?? 0,
    ready: optionalNumber(status.numberReady) ?? 0,
    available: optionalNumber(status.numberAvailable) ?? 0,
  });
}

function workloadView(workload: KubeObject, replicas: DeploymentView['replicas']): DeploymentView {
  const status = record(workload.status);
  const containers = containerResources(templateSpec(workload));
  return {
    name: nameOf(workload),
    uid: uidOf(workload),
    generation: optionalNumber(record(workload.metadata).generation),
    observedGeneration: optionalNumber(status.observedGeneration),
    replicas,
    images: _.uniq(containers.map((container) => container.image)),
    containers,
    conditions: records(status.conditions).map((condition) => ({
      type: text(condition.type),
      status: text(condition.status),
      reason: optionalText(condition.reason),
      lastTransitionTime: optionalText(condition.lastTransitionTime),
    })),
  };
}

function podView(pod: KubeObject): PodView {
  const status = record(pod.status);
  return {
    name: nameOf(pod),
    uid: uidOf(pod),
    status: text(status.phase),
    containerStatuses: Array.isArray(status.containerStatuses) ? status.containerStatuses : [],
  };
}

export function nodeView(node: KubeObject): NodeView {
  const status = record(node.status);
  return {
    name: nameOf(node),
    uid: uidOf(node),
    unschedulable: record(node.spec).unschedulable === true,
    capacity: quantities(status.capacity),
    allocatable: quantities(status.allocatable),
    nodeInfo: stringMap(status.nodeInfo),
  };
}

/** Namespaced objects that pass the filter, grouped by namespace and sorted by name, as views. */
function visibleByNamespace<V>(
  filter: NamespaceFilter,
  objects: Iterable<KubeObject>,
  view: (object: KubeObject) => V,
): Map<string, V[]> {
  const grouped = new Map<string, V[]>();
  for (const object of _.sortBy(visibleObjects(filter, objects), nameOf)) {
    const namespace = namespaceOf(object);
    const views = grouped.get(namespace) ?? [];
    views.push(view(object));
    grouped.set(namespace, views);
  }
  return grouped;
}

/**
 * Cluster totals count every node and every pod, whatever the namespace filter: what is left on the nodes depends
 * on all pods, so the filter decides what is listed, not what is counted.
 */
export function renderLeanixV2(
  objects: InventoryObjects,
  filter: NamespaceFilter,
  lastUpdate: Date | undefined,
  deploymentHistory: DeploymentHistoryView,
): LeanixInventoryV2 {
  const pods = [...objects.pods];
  const nodes = [...objects.nodes];
  const services = visibleByNamespace(filter, objects.services, serviceView);
  const deployments = visibleByNamespace(filter, objects.deployments, deploymentView);
  const podViews = visibleByNamespace(filter, pods, podView);
  const statefulSets = visibleByNamespace(filter, objects.statefulSets, deploymentView);
  const daemonSets = visibleByNamespace(filter, objects.daemonSets, daemonSetView);
  const namespaces = _.uniq(
    [services, deployments, podViews, statefulSets, daemonSets].flatMap((grouped) => [...grouped.keys()]),
  ).sort();
  return {
    version: 2,
    lastUpdate: lastUpdate ? lastUpdate.toISOString() : null,
    cluster: clusterResources(nodes, pods),
    nodes: _.sortBy(nodes, nameOf).map(nodeView),
    namespaces: namespaces.map((name) => ({
      name,
      services: services.get(name) ?? [],
      deployments: deployments.get(name) ?? [],
      pods: podViews.get(name) ?? [],
      statefulSets: statefulSets.get(name) ?? [],
      daemonSets: daemonSets.get(name) ?? [],
    })),
    deploymentHistory,
  };
}
