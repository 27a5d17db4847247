/**
 * `k8s_pod_container_info`: one series per container that has a container ID, labelled with its pod, image and
 * node, so that metrics which know only a container ID (cgroup metrics) can be joined to pods in PromQL.
 * Containers without an ID yet are left out: they have nothing to join, and several of them would give the join
 * duplicate `container_id=""` rows. The family is under the same limits as the object's own (src/metrics/render.ts
 * counts its series against the object's; here: label length), and never repeats a series.
 */

import { podContainers, podFacts } from '../objects/pod-containers.js';
import type { Sample } from './exposition.js';
import { renderLabelPairs } from './exposition.js';
import { type Dropped, type FlattenLimits, NO_LIMITS, noneDropped } from './flatten.js';

export const CONTAINER_INFO_METRIC = 'k8s_pod_container_info';
const HELP = 'One series per container with a container ID: its pod, image and node, for joins on container_id.';

/** The init_container label, rendered once for each value. */
const INIT_CONTAINER_LABEL = new Map(
  [true, false].map((init) => [init, renderLabelPairs([['init_container', String(init)]])]),
);

/**
 * The pod's info series. A container with a label value longer than the limit has none (counted as label_length);
 * one whose labels another container of the pod already has (a hostile pod's repeated names and IDs, or values that
 * differ only in lone surrogates) neither (counted as name_taken).
 */
export function containerInfoSamples(
  pod: unknown,
  limits: FlattenLimits = NO_LIMITS,
  dropped: Dropped = noneDropped(),
): Sample[] {
  const facts = podFacts(pod);
  const tooLong = (values: readonly string[]) => values.some((value) => value.length > limits.maxLabelValueLength);
  const podValues = [facts.namespace, facts.name, facts.nodeName, facts.uid, facts.qosClass];
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
  const seen = new Set<string>();
  for (const container of podContainers(pod)) {
    if (container.containerID === '') continue;
    const containerValues = [container.name, container.containerID, container.image, container.imageID];
    if (tooLong(podValues) || tooLong(containerValues)) {
      dropped.label_length += 1;
      continue;
    }
    const containerLabels = renderLabelPairs([
      ['container', container.name],
      ['container_id', container.containerID],
      ['image', container.image],
      ['image_id', container.imageID],
    ]);
    const labelText = `{${podLabels},${containerLabels},${placementLabels},${INIT_CONTAINER_LABEL.get(container.init)}}`;
    if (seen.has(labelText)) {
      dropped.name_taken += 1;
      continue;
    }
    seen.add(labelText);
    samples.push({ name: CONTAINER_INFO_METRIC, path: '', help: HELP, labelText, value: 1 });
  }
  return samples;
}
