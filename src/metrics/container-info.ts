/**
 * `k8s_pod_container_info`: one series per container that has a container ID, labelled with its pod, image and
 * node, so that metrics which know only a container ID (cgroup metrics) can be joined to pods in PromQL.
 * Containers without an ID yet are left out: they have nothing to join, and several of them would give the join
 * duplicate `container_id=""` rows.
 */

import { podContainers, podFacts } from '../objects/pod-containers.js';
import type { Sample } from './exposition.js';
import { renderLabelPairs } from './exposition.js';

const CONTAINER_INFO_METRIC = 'k8s_pod_container_info';
const HELP = 'One series per container with a container ID: its pod, image and node, for joins on container_id.';

/** The init_container label, rendered once for each value. */
const INIT_CONTAINER_LABEL = new Map(
  [true, false].map((init) => [init, renderLabelPairs([['init_container', String(init)]])]),
);

export function containerInfoSamples(pod: unknown): Sample[] {
  const facts = podFacts(pod);
  // The pod's labels are the same in every container's series: rendered once.
  const podLabels = renderLabelPairs([
    ['namespace', facts.namespace],
    ['pod', facts.name],
  ]);
  const placementLabels = renderLabelPairs([
    ['node', facts.nodeName],
    ['pod_uid', facts.uid],
    ['qos_class', facts.qosClass],
  ]);
  const samples: Sample[] = [];
  for (const container of podContainers(pod)) {
    if (container.containerID === '') continue;
    const containerLabels = renderLabelPairs([
      ['container', container.name],
      ['container_id', container.containerID],
      ['image', container.image],
      ['image_id', container.imageID],
    ]);
    const labelText = `{${podLabels},${containerLabels},${placementLabels},${INIT_CONTAINER_LABEL.get(container.init)}}`;
    samples.push({ name: CONTAINER_INFO_METRIC, path: '', help: HELP, labelText, value: 1 });
  }
  return samples;
}
