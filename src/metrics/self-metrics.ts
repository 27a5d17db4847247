/** The exporter's own metrics, `kube_api_exporter_*`, in one explicit prom-client registry. */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { KindState } from '../kinds/state.js';

export const SELF_PREFIX = 'kube_api_exporter_';

export type WatchEventType = 'add' | 'update' | 'delete';

/** A gauge without labels whose value is read when the registry is scraped. */
export function gaugeReadOnScrape(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export interface SelfMetricSources {
  /** Objects in the cache per kind. */
  readonly objectCounts: () => ReadonlyArray<readonly [kind: string, count: number]>;
  /** Each kind's list/watch state. */
  readonly kindStates: () => ReadonlyArray<readonly [kind: string, state: Readonly<KindState>]>;
  readonly seriesCount: () => number;
  /** This replica's shard; undefined while unknown. */
  readonly shard?: () => { readonly shard: number; readonly total: number } | undefined;
}

export class SelfMetrics {
  readonly registry = new Registry();
  readonly watchEvents: Counter<'kind' | 'type'>;
  readonly watchErrors: Counter<'kind' | 'reason'>;
  readonly watchRestarts: Counter<'kind'>;
  readonly invalidObjects: Counter<'kind'>;
  readonly flattenDropped: Counter<'kind' | 'reason'>;
  readonly droppedSeries: Counter<'kind' | 'reason'>;
  readonly scrapeDuration: Histogram<'handler'>;
  readonly leanixPushes: Counter<'result'>;
  readonly reportsSent: Counter;
  readonly reportsFailed: Counter;
  readonly metricsRejected: Counter<'encoding'>;
  readonly sendTimeouts: Counter;

  /** `processMetrics: false` for a registry nothing scrapes: no event-loop and GC observers run for it. */
  constructor(sources: SelfMetricSources, { processMetrics = true } = {}) {
    const registers = [this.registry];
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: SELF_PREFIX });
    this.watchEvents = new Counter({
      name: `${SELF_PREFIX}watch_events_total`,
      help: 'Objects added, updated or deleted in the cache, from lists and watches, per kind.',
      labelNames: ['kind', 'type'],
      registers,
    });
    this.watchErrors = new Counter({
      name: `${SELF_PREFIX}watch_errors_total`,
      help: 'Failed lists or watches per kind and reason; each is retried with backoff, by a relist.',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.watchRestarts = new Counter({
      name: `${SELF_PREFIX}watch_restarts_total`,
      help: 'Lists or watches started again per kind: after a watch ended (server timeout, stall, error) or a failure.',
      labelNames: ['kind'],
      registers,
    });
    this.invalidObjects = new Counter({
      name: `${SELF_PREFIX}invalid_objects_total`,
      help: 'Objects skipped because they could not be read (no name, no namespace), per kind.',
      labelNames: ['kind'],
      registers,
    });
    this.flattenDropped = new Counter({
      name: `${SELF_PREFIX}flatten_dropped_total`,
      help: 'What the flatten limits held back, per kind and reason: depth (fields not walked), series_limit and label_length (series not exported).',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.droppedSeries = new Counter({
      name: `${SELF_PREFIX}series_dropped_total`,
      help: 'Object series left out by cardinality control each time an object was rendered, per kind and reason (denied by name, over the per-object limit).',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.scrapeDuration = new Histogram({
      name: `${SELF_PREFIX}scrape_duration_seconds`,
      help: 'Time to render a response, per handler.',
      labelNames: ['handler'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.leanixPushes = new Counter({
      name: `${SELF_PREFIX}leanix_pushes_total`,
      help: 'Attempts to POST the LDIF document to --leanix-push-url, by result (ok, failed).',
      labelNames: ['result'],
      registers,
    });
    this.reportsSent = new Counter({
      name: `${SELF_PREFIX}reports_sent_total`,
      help: 'Cluster reports the collector accepted (--report-url).',
      registers,
    });
    this.reportsFailed = new Counter({
      name: `${SELF_PREFIX}reports_failed_total`,
      help: 'Failed attempts to send a cluster report; each is retried with backoff.',
      registers,
    });
    this.metricsRejected = new Counter({
      name: `${SELF_PREFIX}metrics_responses_rejected_total`,
      help: 'Requests for /metrics answered 503 because --max-metrics-responses were being sent in that encoding (gzip, identity).',
      labelNames: ['encoding'],
      registers,
    });
    for (const encoding of ['gzip', 'identity']) this.metricsRejected.inc({ encoding }, 0);
    this.sendTimeouts = new Counter({
      name: `${SELF_PREFIX}http_send_timeouts_total`,
      help: 'Connections destroyed because the client took none of a response for --send-timeout.',
      registers,
    });
    new Gauge({
      name: `${SELF_PREFIX}cache_objects`,
      help: 'Objects in the cache per kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const [kind, count] of sources.objectCounts()) this.set({ kind }, count);
      },
    });
    new Gauge({
      name: `${SELF_PREFIX}kind_synced`,
      help: '1 once the kind has completed its initial list, else 0.',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const [kind, state] of sources.kindStates()) this.set({ kind }, state.synced ? 1 : 0);
      },
    });
    new Gauge({
      name: `${SELF_PREFIX}seconds_since_last_event`,
      help: 'Seconds since the kind last received anything: a watch event or bookmark, or a list.',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const [kind, state] of sources.kindStates()) {
          if (state.lastEventAt) this.set({ kind }, (Date.now() - state.lastEventAt.getTime()) / 1000);
        }
      },
    });
    new Gauge({
      name: `${SELF_PREFIX}last_list_timestamp_seconds`,
      help: "Unix time of the kind's last successful list.",
      labelNames: ['kind'],
      registers,
      collect() {
        for (const [kind, state] of sources.kindStates())
          if (state.lastListAt) this.set({ kind }, state.lastListAt.getTime() / 1000);
      },
    });
    gaugeReadOnScrape(
      this.registry,
      `${SELF_PREFIX}series`,
      'Object series exported on /metrics.',
      sources.seriesCount,
    );
    gaugeReadOnScrape(
      this.registry,
      `${SELF_PREFIX}shard_ordinal`,
      "This replica's shard, 0-based.",
      () => sources.shard?.()?.shard ?? 0,
    );
    gaugeReadOnScrape(
      this.registry,
      `${SELF_PREFIX}total_shards`,
      'Number of shards the objects are split over; 0 while auto-sharding has not read its StatefulSet.',
      () => sources.shard?.()?.total ?? 0,
    );
  }
}
