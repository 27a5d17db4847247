/**
 * Pod lifecycle events from two versions of a pod, as the cache reports them (previous → current). Pure.
 *
 * A pod goes through `create`, then `pending` / `running` as its phase says, `shutdown` once its deletion is
 * requested (deletionTimestamp set), and `delete` when it leaves the cache. Each event is derived from the change
 * between the two versions, never from the update itself, so a resync or relist that repeats a version emits
 * nothing, and a relist that skipped states emits the state the pod is in now. A running pod that gets a new
 * container ID (a container restart) is reported `running` again: consumers key their tables by container ID.
 */

import { type PodContainer, type PodFacts, podContainers, podFacts } from '../objects/pod-containers.js';

export const POD_EVENT_TYPES = ['create', 'pending', 'running', 'shutdown', 'delete'] as const;
export type PodEventType = (typeof POD_EVENT_TYPES)[number];

export interface PodEvent {
  readonly type: PodEventType;
  /** The pod as it is after the change; for `delete`, the last version seen. */
  readonly pod: unknown;
}

/** One container of a pod event, in telemd-kubernetes-adapter's shape (plus the namespace). */
export interface ContainerMetadata {
  readonly podUid: string;
  readonly containerID: string;
  readonly image: string;
  readonly podName: string;
  readonly hostIP: string;
  readonly name: string;
  readonly nodeName: string;
  readonly podIP: string;
  readonly qosClass: string;
  readonly startTime: string;
  readonly namespace: string;
}

type Stage = 'pending' | 'running' | 'shutdown';

/** The events between two versions of one pod; undefined previous means new to the cache, undefined current gone. */
export function podEvents(previous: unknown, current: unknown): PodEvent[] {
  if (current === undefined) return previous === undefined ? [] : [{ type: 'delete', pod: previous }];
  if (previous === undefined) return arrival(current);
  const before = podFacts(previous);
  const after = podFacts(current);
  // Replaced under the same name while the watch was away: the old pod is gone and a new one came.
  if (before.uid !== '' && after.uid !== '' && before.uid !== after.uid)
    return [{ type: 'delete', pod: previous }, ...arrival(current)];
  const stage = stageOf(after);
  if (stage === undefined) return [];
  if (stage !== stageOf(before)) return [{ type: stage, pod: current }];
  if (stage === 'running' && hasNewContainerID(previous, current)) return [{ type: 'running', pod: current }];
  return [];
}

/** One entry per container of the event's pod, init containers first. */
export function containerMetadata(pod: unknown): ContainerMetadata[] {
  const facts = podFacts(pod);
  return podContainers(pod).map((container) => metadataOf(facts, container));
}

function metadataOf(facts: PodFacts, container: PodContainer): ContainerMetadata {
  return {
    podUid: facts.uid,
    containerID: container.containerID,
    image: container.image,
    podName: facts.name,
    hostIP: facts.hostIP,
    name: container.name,
    nodeName: facts.nodeName,
    podIP: facts.podIP,
    qosClass: facts.qosClass,
    startTime: facts.startTime,
    namespace: facts.namespace,
  };
}

function arrival(pod: unknown): PodEvent[] {
  const stage = stageOf(podFacts(pod));
  return stage === undefined
    ? [{ type: 'create', pod }]
    : [
        { type: 'create', pod },
        { type: stage, pod },
      ];
}

function stageOf(facts: PodFacts): Stage | undefined {
  if (facts.deletionRequested) return 'shutdown';
  if (facts.phase === 'Pending') return 'pending';
  if (facts.phase === 'Running') return 'running';
  return undefined;
}

function hasNewContainerID(previous: unknown, current: unknown): boolean {
  const known = new Set(podContainers(previous).map((container) => container.containerID));
  return podContainers(current).some((container) => container.containerID !== '' && !known.has(container.containerID));
}
