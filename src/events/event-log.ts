/**
 * The pod event stream: derives events from the cache's pod changes (src/events/pod-events.ts), gives each container
 * message an id and a time, keeps the last ones for replay, and hands every new one to the sinks (SSE, Redis).
 * Sinks are called synchronously on the watch path, so they must only queue.
 */

import type { Registry } from 'prom-client';
import type { CacheChange, ClusterCache } from '../cache.js';
import { type SelfMetric, selfMetric } from '../metrics/self-metrics.js';
import type { Logger } from '../util/log.js';
import { type ContainerMetadata, containerMetadata, POD_EVENT_TYPES, podEvents } from './pod-events.js';

export interface EventMessage {
  /** 1, 2, 3, … within this process. */
  readonly id: number;
  /** Unix seconds, with milliseconds as the fraction. */
  readonly time: number;
  /** `pod/create`, `pod/pending`, `pod/running`, `pod/shutdown`, `pod/delete`. */
  readonly event: string;
  readonly metadata: ContainerMetadata;
}

export type EventListener = (message: EventMessage) => void;

/** telemd-kubernetes-adapter's message: `<unix time> pod/<event> <metadata JSON>`. */
export function adapterMessage(message: EventMessage): string {
  return `${message.time.toFixed(3)} ${message.event} ${JSON.stringify(message.metadata)}`;
}

export interface EventLogOptions {
  /** Messages kept for replay. */
  readonly capacity: number;
  readonly registry: Registry;
  readonly log: Logger;
  readonly now?: () => number;
}

export class PodEventLog {
  private readonly kept: EventMessage[] = [];
  private lastId = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly emitted: SelfMetric<'kube_api_exporter_pod_events_total'>;

  constructor(private readonly options: EventLogOptions) {
    this.emitted = selfMetric(options.registry, 'kube_api_exporter_pod_events_total');
    for (const event of POD_EVENT_TYPES) this.emitted.inc({ event }, 0);
  }

  /** Follows the cache's pod changes; returns a function that stops following. */
  follow(cache: ClusterCache): () => void {
    return cache.onChange((change) => {
      if (change.kind.metricName === 'pod') this.record(change);
    });
  }

  /** Calls the listener for every new message; returns a function that unsubscribes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Kept messages after `lastId`. An id newer than any message is from before a restart of this process (ids
   * start again at 1): then everything kept is replayed.
   */
  since(lastId: number): EventMessage[] {
    if (lastId > this.lastId) return [...this.kept];
    return this.kept.filter((message) => message.id > lastId);
  }

  /** The id of the newest message; 0 before the first. */
  get newestId(): number {
    return this.lastId;
  }

  /** The id of the oldest message kept; newestId + 1 while none is kept. */
  get oldestId(): number {
    return this.kept[0]?.id ?? this.lastId + 1;
  }

  /** Up to `max` kept messages after `lastId`, oldest first (ids are consecutive, so this is a slice). */
  after(lastId: number, max: number): EventMessage[] {
    const start = Math.max(0, lastId + 1 - this.oldestId);
    return this.kept.slice(start, start + max);
  }

  private record(change: CacheChange): void {
    const events =
      change.type === 'delete' ? podEvents(change.object, undefined) : podEvents(change.previous, change.object);
    for (const { type, pod } of events) {
      this.emitted.inc({ event: type });
      const time = (this.options.now ?? Date.now)() / 1000;
      for (const metadata of containerMetadata(pod))
        this.publish({ id: ++this.lastId, time, event: `pod/${type}`, metadata });
    }
  }

  private publish(message: EventMessage): void {
    this.kept.push(message);
    if (this.kept.length > this.options.capacity) this.kept.shift();
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        // A failing sink must not stop the watch path that called us.
        this.options.log.error('event sink failed', { event: message.event, error: (error as Error).message });
      }
    }
  }
}
