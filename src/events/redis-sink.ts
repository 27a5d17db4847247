/**
 * The Redis sink: PUBLISH galileo/events "<unix time> pod/<event> <metadata JSON>", as telemd-kubernetes-adapter
 * does. It never blocks the watch path: messages are queued and sent in order by one loop, in pipelined batches. While Redis is down the
 * client reconnects with capped exponential backoff and up to `capacity` messages wait; past that the oldest are
 * dropped and counted, and the count is logged when Redis is back. A message whose PUBLISH got no reply is sent
 * again, so delivery is at least once.
 */

import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { type SelfMetric, selfMetric } from '../metrics/self-metrics.js';
import { type Backoff, backoffDelay, DEFAULT_BACKOFF } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import { adapterMessage, type EventMessage } from './event-log.js';

export const EVENTS_CHANNEL = 'galileo/events';
const DEFAULT_REDIS_BUFFER = 10_000;
const PUBLISH_BATCH = 256;

export interface RedisSinkOptions {
  readonly url: string;
  readonly registry: Registry;
  readonly log: Logger;
  /** Messages kept while Redis is unreachable. */
  readonly capacity?: number;
  readonly backoff?: Backoff;
}

export class RedisSink {
  private readonly client: Redis;
  private readonly queue: EventMessage[] = [];
  private readonly capacity: number;
  /** Messages taken from the queue and not yet answered by Redis. */
  private inFlight = 0;
  private droppedWhileDown = 0;
  private readonly published: SelfMetric<'kube_api_exporter_redis_published_total'>;
  private readonly dropped: SelfMetric<'kube_api_exporter_redis_dropped_total'>;

  constructor(private readonly options: RedisSinkOptions) {
    const { registry, log } = options;
    this.capacity = options.capacity ?? DEFAULT_REDIS_BUFFER;
    this.published = selfMetric(registry, 'kube_api_exporter_redis_published_total');
    this.dropped = selfMetric(registry, 'kube_api_exporter_redis_dropped_total');
    selfMetric(registry, 'kube_api_exporter_redis_buffered', () => this.queue.length + this.inFlight);
    selfMetric(registry, 'kube_api_exporter_redis_up', () => (this.client.status === 'ready' ? 1 : 0));

    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.client = new Redis(options.url, {
      connectionName: 'kube-api-exporter',
      // Our queue is the only buffer: commands fail at once while disconnected instead of piling up in ioredis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // A connection that went silent must not hold the queue forever; the message is sent again.
      commandTimeout: 10_000,
      retryStrategy: (attempt) => backoffDelay(backoff, attempt),
    });
    let reportedDown = false;
    this.client.on('ready', () => {
      log.info('redis connected', {
        url: redactedUrl(options.url),
        buffered: this.queue.length,
        droppedWhileDown: this.droppedWhileDown,
      });
      reportedDown = false;
      this.droppedWhileDown = 0;
      void this.drain();
    });
    this.client.on('error', (error: Error) => {
      if (reportedDown) return;
      reportedDown = true;
      log.warn('redis unreachable, buffering pod events', {
        url: redactedUrl(options.url),
        error: error.message,
        capacity: this.capacity,
      });
    });
  }

  /** Queues the message; called on the watch path, so it only queues (rendered when sent). */
  readonly accept = (message: EventMessage): void => {
    this.queue.push(message);
    this.dropOverCapacity();
    void this.drain();
  };

  async stop(): Promise<void> {
    this.client.disconnect();
  }

  /** Sends the queue in order, in pipelined batches: one round trip per batch, not per message. */
  private async drain(): Promise<void> {
    if (this.inFlight > 0) return;
    while (this.queue.length > 0 && this.client.status === 'ready') {
      const batch = this.queue.splice(0, PUBLISH_BATCH);
      this.inFlight = batch.length;
      const sent = await this.publish(batch);
      this.inFlight = 0;
      this.published.inc(sent);
      if (sent < batch.length) {
        // Not sent: back to the front of the queue, for the next 'ready' or the next message.
        this.queue.unshift(...batch.slice(sent));
        this.dropOverCapacity();
        return;
      }
    }
  }

  /** How many of the batch, from its start, Redis accepted. */
  private async publish(batch: readonly EventMessage[]): Promise<number> {
    const pipeline = this.client.pipeline();
    for (const message of batch) pipeline.publish(EVENTS_CHANNEL, adapterMessage(message));
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.findIndex(([error]) => error);
      if (failed >= 0) this.options.log.debug('redis publish failed', { error: results[failed][0]!.message });
      return failed < 0 ? results.length : failed;
    } catch (error) {
      this.options.log.debug('redis publish failed', { error: (error as Error).message });
      return 0;
    }
  }

  private dropOverCapacity(): void {
    const excess = this.queue.length - this.capacity;
    if (excess <= 0) return;
    this.queue.splice(0, excess);
    this.dropped.inc(excess);
    this.droppedWhileDown += excess;
  }
}

function redactedUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}
