/**
 * `k8s_pod_container_info`: one series per container that has a container ID, labelled with its pod, image and
 * node, so that metrics which know only a container ID (cgroup metrics) can be joined to pods in PromQL.
 * Containers without an ID yet are left out: they have nothing to join, and several of them would give the join
 * duplicate `container_id=""` rows.
 */

import type { Labels, Sample } from './flatten.js';
import { podContainers, podFacts } from './pod-containers.js';
import { renderLabels } from './store.js';

const CONTAINER_INFO_METRIC = 'k8s_pod_container_info';
const HELP = 'One series per container with a container ID: its pod, image and node, for joins on container_id.';

export function containerInfoSamples(pod: unknown): Sample[] {
  const facts = podFacts(pod);
  return podContainers(pod)
    .filter((container) => container.containerID !== '')
    .map((container) => {
      const labels: Labels = [
        ['namespace', facts.namespace],
        ['pod', facts.name],
        ['container', container.name],
        ['container_id', container.containerID],
        ['image', container.image],
        ['image_id', container.imageID],
        ['node', facts.nodeName],
        ['pod_uid', facts.uid],
        ['qos_class', facts.qosClass],
        ['init_container', String(container.init)],
      ];
      return { name: CONTAINER_INFO_METRIC, path: '', help: HELP, labels, labelText: renderLabels(labels), value: 1 };
    });
}
