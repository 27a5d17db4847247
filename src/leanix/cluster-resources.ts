/**
 * Total cluster resources and what is left: node capacity and allocatable summed, minus what the scheduled pods
 * request. Pure: cached nodes and pods in, totals out (CPU in cores, memory in bytes).
 */

import { quantities, record, records, text } from '../objects/fields.js';
import type { KubeObject } from '../objects/kube-object.js';

export const TOTALLED_RESOURCES = ['cpu', 'memory'] as const;
type Resource = (typeof TOTALLED_RESOURCES)[number];
export type ResourceAmounts = Readonly<Record<Resource, number>>;

export interface ClusterResources {
  readonly nodes: number;
  readonly capacity: ResourceAmounts;
  readonly allocatable: ResourceAmounts;
  /** Requests of the pods bound to a node and not finished (phase neither Succeeded nor Failed). */
  readonly requested: ResourceAmounts;
  /** allocatable − requested. */
  readonly available: ResourceAmounts;
  readonly requestingPods: number;
}

// Sums of decimal quantities pick up binary noise (0.1 + 0.25 cores); nanounits are the API's finest grain.
function amounts(pick: (resource: Resource) => number): ResourceAmounts {
  const tidy = (value: number) => Math.round(value * 1e9) / 1e9;
  return { cpu: tidy(pick('cpu')), memory: tidy(pick('memory')) };
}

function sum(lists: ReadonlyArray<Readonly<Record<string, number>>>, resource: Resource): number {
  return lists.reduce((total, list) => total + (list[resource] ?? 0), 0);
}

/** What the scheduler reserves for a pod: max(sum of containers, largest init container) + overhead. */
export function podRequests(pod: KubeObject): ResourceAmounts {
  const spec = record(pod.spec);
  const requestsOf = (containers: unknown) =>
    records(containers).map((container) => quantities(record(container.resources).requests));
  const containers = requestsOf(spec.containers);
  const initContainers = requestsOf(spec.initContainers);
  const overhead = quantities(spec.overhead);
  return amounts(
    (resource) =>
      Math.max(sum(containers, resource), ...initContainers.map((list) => list[resource] ?? 0)) +
      (overhead[resource] ?? 0),
  );
}

function holdsResources(pod: KubeObject): boolean {
  const phase = text(record(pod.status).phase);
  return text(record(pod.spec).nodeName) !== '' && phase !== 'Succeeded' && phase !== 'Failed';
}

export function clusterResources(nodes: Iterable<KubeObject>, pods: Iterable<KubeObject>): ClusterResources {
  const nodeList = [...nodes];
  const capacities = nodeList.map((node) => quantities(record(node.status).capacity));
  const allocatables = nodeList.map((node) => quantities(record(node.status).allocatable));
  const requests = [...pods].filter(holdsResources).map(podRequests);
  const allocatable = amounts((resource) => sum(allocatables, resource));
  const requested = amounts((resource) => sum(requests, resource));
  return {
    nodes: nodeList.length,
    capacity: amounts((resource) => sum(capacities, resource)),
    allocatable,
    requested,
    available: amounts((resource) => allocatable[resource] - requested[resource]),
    requestingPods: requests.length,
  };
}
