/**
 * A pod's containers as the runtime knows them: spec and status joined by container name, for the container-ID
 * join table (src/container-info.ts) and the pod event payloads (src/pod-events.ts). Pure.
 */

import { type Fields, record, records, text } from './fields.js';

export interface PodContainer {
  readonly name: string;
  readonly init: boolean;
  /** `containerd://…`; empty until the runtime has created the container. */
  readonly containerID: string;
  /** The image the runtime reports running, else the one the spec asks for. */
  readonly image: string;
  readonly imageID: string;
}

/** The pod fields both views read; missing fields are empty strings. */
export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly podIP: string;
  readonly qosClass: string;
  readonly startTime: string;
  readonly phase: string;
  readonly deletionRequested: boolean;
}

/** Reads defensively: a malformed field reads as missing, never throws. */
export function podFacts(pod: unknown): PodFacts {
  const { metadata: metadataField, spec: specField, status: statusField } = record(pod);
  const metadata = record(metadataField);
  const spec = record(specField);
  const status = record(statusField);
  return {
    namespace: text(metadata.namespace),
    name: text(metadata.name),
    uid: text(metadata.uid),
    nodeName: text(spec.nodeName),
    hostIP: text(status.hostIP),
    podIP: text(status.podIP),
    qosClass: text(status.qosClass),
    startTime: text(status.startTime),
    phase: text(status.phase),
    deletionRequested: text(metadata.deletionTimestamp) !== '',
  };
}

/** Init containers first, then app containers, each in spec order; a status without a spec entry is still listed. */
export function podContainers(pod: unknown): PodContainer[] {
  const spec = record(record(pod).spec);
  const status = record(record(pod).status);
  return [
    ...joinContainers(records(spec.initContainers), records(status.initContainerStatuses), true),
    ...joinContainers(records(spec.containers), records(status.containerStatuses), false),
  ];
}

function joinContainers(specs: readonly Fields[], statuses: readonly Fields[], init: boolean): PodContainer[] {
  const statusByName = new Map(statuses.map((status) => [text(status.name), status]));
  const names = [...new Set([...specs.map((spec) => text(spec.name)), ...statusByName.keys()])].filter(Boolean);
  const specByName = new Map(specs.map((spec) => [text(spec.name), spec]));
  return names.map((name) => {
    const status = statusByName.get(name) ?? {};
    return {
      name,
      init,
      containerID: text(status.containerID),
      image: text(status.image) || text(specByName.get(name)?.image),
      imageID: text(status.imageID),
    };
  });
}
