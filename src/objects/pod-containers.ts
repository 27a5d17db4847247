/**
 * A pod's containers as the runtime knows them: spec and status joined by container name, for the container-ID
 * join table (src/metrics/container-info.ts) and the pod event payloads (src/events/pod-events.ts). Pure.
 */

import { type Fields, record, text } from './fields.js';

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
  const containers: PodContainer[] = [];
  joinContainers(spec.initContainers, status.initContainerStatuses, true, containers);
  joinContainers(spec.containers, status.containerStatuses, false, containers);
  return containers;
}

/**
 * Adds the containers of one spec list and its status list to `joined`, by name (the last entry of a name wins).
 * Built in one map, without intermediate lists: this runs for every pod event, two or three times.
 */
function joinContainers(specs: unknown, statuses: unknown, init: boolean, joined: PodContainer[]): void {
  const byName = new Map<string, { spec?: Fields; status?: Fields }>();
  const entryOf = (name: string) => byName.get(name) ?? byName.set(name, {}).get(name)!;
  for (const spec of Array.isArray(specs) ? specs : []) {
    const name = text(record(spec).name);
    if (name !== '') entryOf(name).spec = record(spec);
  }
  for (const status of Array.isArray(statuses) ? statuses : []) {
    const name = text(record(status).name);
    if (name !== '') entryOf(name).status = record(status);
  }
  for (const [name, { spec, status = {} }] of byName) {
    joined.push({
      name,
      init,
      containerID: text(status.containerID),
      image: text(status.image) || text(spec?.image),
      imageID: text(status.imageID),
    });
  }
}
