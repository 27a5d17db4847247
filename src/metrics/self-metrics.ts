/**
 * The exporter's own metrics, `kube_api_exporter_*`, in one explicit prom-client registry, all declared in one table.
 *
 * How to declare a self-metric:
 * 1. Add an entry to SELF_METRICS below: its full name (`kube_api_exporter_…`, `_total` for a counter), type,
 *    HELP text and label names. Names, HELP texts and labels are an external format: change them only on purpose.
 * 2. Build it where it is counted with `selfMetric(registry, name)`: a counter or histogram, typed by its labels.
 *    A gauge is read when the registry is scraped: `selfMetric(registry, name, read)`, `read` returning the value
 *    (no labels) or the [labels, value] pairs to set. Exporter-wide ones are built once below, in SelfMetrics, and
 *    handed to their users as fields; a module that owns its metrics (src/events/) builds them with the registry it
 *    is given, so they exist exactly when the module does (no Redis metrics without Redis).
 * 3. Add it to the pinned list in test/metrics/self-metrics.test.ts.
 * Nowhere else does `new Counter`, `new Gauge` or `new Histogram` make a self-metric.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, type LabelValues, Registry } from 'prom-client';
import type { KindState } from '../kinds/state.js';

export const SELF_PREFIX = 'kube_api_exporter_';

type Definition =
  | { readonly type: 'counter' | 'gauge'; readonly help: string; readonly labelNames: readonly string[] }
  | {
      readonly type: 'histogram';
      readonly help: string;
      readonly labelNames: readonly string[];
      readonly buckets: readonly number[];
    };

/** Every self-metric, in the order /metrics shows them (after the process metrics). */
export const SELF_METRICS = {
  kube_api_exporter_watch_events_total: {
    type: 'counter',
    help: 'Objects added, updated or deleted in the cache, from lists and watches, per kind.',
    labelNames: ['kind', 'type'],
  },
  kube_api_exporter_watch_errors_total: {
    type: 'counter',
    help: 'Failed lists or watches per kind and reason; each is retried with backoff, by a relist.',
    labelNames: ['kind', 'reason'],
  },
  kube_api_exporter_watch_restarts_total: {
    type: 'counter',
    help: 'Lists or watches started again per kind: after a watch ended (server timeout, stall, error) or a failure.',
    labelNames: ['kind'],
  },
  kube_api_exporter_invalid_objects_total: {
    type: 'counter',
    help: 'Objects skipped because they could not be read (not an object with an object metadata, no name, no namespace), per kind.',
    labelNames: ['kind'],
  },
  kube_api_exporter_flatten_dropped_total: {
    type: 'counter',
    help: 'What the flatten limits held back, per kind and reason: depth (fields not walked), series_limit, label_length and name_taken (series not exported).',
    labelNames: ['kind', 'reason'],
  },
  kube_api_exporter_series_dropped_total: {
    type: 'counter',
    help: 'Object series left out by cardinality control each time an object was rendered, per kind and reason (denied by name, over the per-object limit).',
    labelNames: ['kind', 'reason'],
  },
  kube_api_exporter_scrape_duration_seconds: {
    type: 'histogram',
    help: 'Time to render a response, per handler.',
    labelNames: ['handler'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  },
  kube_api_exporter_leanix_pushes_total: {
    type: 'counter',
    help: 'Attempts to POST the LDIF document to --leanix-push-url, by result (ok, failed).',
    labelNames: ['result'],
  },
  kube_api_exporter_reports_sent_total: {
    type: 'counter',
    help: 'Cluster reports the collector accepted (--report-url).',
    labelNames: [],
  },
  kube_api_exporter_reports_failed_total: {
    type: 'counter',
    help: 'Failed attempts to send a cluster report; each is retried with backoff.',
    labelNames: [],
  },
  kube_api_exporter_metrics_responses_rejected_total: {
    type: 'counter',
    help: 'Requests for /metrics answered 503 because --max-metrics-responses were being sent in that encoding (gzip, identity).',
    labelNames: ['encoding'],
  },
  kube_api_exporter_http_send_timeouts_total: {
    type: 'counter',
    help: 'Connections destroyed because the client took none of a response for --send-timeout.',
    labelNames: [],
  },
  kube_api_exporter_cache_objects: {
    type: 'gauge',
    help: 'Objects in the cache per kind.',
    labelNames: ['kind'],
  },
  kube_api_exporter_kind_synced: {
    type: 'gauge',
    help: '1 once the kind has completed its initial list, else 0.',
    labelNames: ['kind'],
  },
  kube_api_exporter_seconds_since_last_event: {
    type: 'gauge',
    help: 'Seconds since the kind last received anything: a watch event or bookmark, or a list.',
    labelNames: ['kind'],
  },
  kube_api_exporter_last_list_timestamp_seconds: {
    type: 'gauge',
    help: "Unix time of the kind's last successful list.",
    labelNames: ['kind'],
  },
  kube_api_exporter_series: {
    type: 'gauge',
    help: 'Object series exported on /metrics.',
    labelNames: [],
  },
  kube_api_exporter_shard_ordinal: {
    type: 'gauge',
    help: "This replica's shard, 0-based.",
    labelNames: [],
  },
  kube_api_exporter_total_shards: {
    type: 'gauge',
    help: 'Number of shards the objects are split over; 0 while auto-sharding has not read its StatefulSet.',
    labelNames: [],
  },
  // src/events/event-log.ts
  kube_api_exporter_pod_events_total: {
    type: 'counter',
    help: 'Pod lifecycle events derived from the cache, per event (one per pod, not per container).',
    labelNames: ['event'],
  },
  // src/events/event-stream.ts
  kube_api_exporter_event_stream_clients: {
    type: 'gauge',
    help: 'Clients connected to /events.',
    labelNames: [],
  },
  kube_api_exporter_event_stream_slow_clients_total: {
    type: 'counter',
    help: 'Clients of /events disconnected because they fell behind the kept messages.',
    labelNames: [],
  },
  // src/events/redis-sink.ts, only with Redis
  kube_api_exporter_redis_published_total: {
    type: 'counter',
    help: 'Pod event messages published to Redis.',
    labelNames: [],
  },
  kube_api_exporter_redis_dropped_total: {
    type: 'counter',
    help: 'Pod event messages dropped because Redis was unreachable and the buffer was full.',
    labelNames: [],
  },
  kube_api_exporter_redis_buffered: {
    type: 'gauge',
    help: 'Pod event messages waiting to be published to Redis.',
    labelNames: [],
  },
  kube_api_exporter_redis_up: {
    type: 'gauge',
    help: '1 while the connection to Redis is ready, else 0.',
    labelNames: [],
  },
} as const satisfies Record<`${typeof SELF_PREFIX}${string}`, Definition>;

export type SelfMetricName = keyof typeof SELF_METRICS;
type Declared = typeof SELF_METRICS;
type NameOfType<T extends Definition['type']> = {
  [N in SelfMetricName]: Declared[N]['type'] extends T ? N : never;
}[SelfMetricName];
type LabelsOf<N extends SelfMetricName> = Declared[N]['labelNames'][number];

/** The prom-client object a declared self-metric is built as. */
export type SelfMetric<N extends SelfMetricName> = {
  counter: Counter<LabelsOf<N>>;
  gauge: Gauge<LabelsOf<N>>;
  histogram: Histogram<LabelsOf<N>>;
}[Declared[N]['type']];

/** What a gauge reads on scrape: its value, or with labels, the [labels, value] pairs to set. */
export type GaugeRead<L extends string> = [L] extends [never]
  ? () => number
  : () => Iterable<readonly [LabelValues<L>, number]>;

/** Builds a declared counter or histogram in the registry. */
export function selfMetric<N extends NameOfType<'counter' | 'histogram'>>(registry: Registry, name: N): SelfMetric<N>;
/** Builds a declared gauge in the registry, set from `read` whenever the registry is scraped. */
export function selfMetric<N extends NameOfType<'gauge'>>(
  registry: Registry,
  name: N,
  read: GaugeRead<LabelsOf<N>>,
): SelfMetric<N>;
export function selfMetric(
  registry: Registry,
  name: SelfMetricName,
  read?: () => number | Iterable<readonly [LabelValues<string>, number]>,
): Counter | Gauge | Histogram {
  const definition: Definition = SELF_METRICS[name];
  const configuration = { name, help: definition.help, labelNames: definition.labelNames, registers: [registry] };
  switch (definition.type) {
    case 'counter':
      return new Counter(configuration);
    case 'histogram':
      return new Histogram({ ...configuration, buckets: [...definition.buckets] });
    case 'gauge':
      return new Gauge({
        ...configuration,
        collect() {
          const value = read!();
          if (typeof value === 'number') this.set(value);
          else for (const [labels, labelled] of value) this.set(labels, labelled);
        },
      });
  }
}

export type WatchEventType = 'add' | 'update' | 'delete';

export interface SelfMetricSources {
  /** Objects in the cache per kind. */
  readonly objectCounts: () => ReadonlyArray<readonly [kind: string, count: number]>;
  /** Each kind's list/watch state. */
  readonly kindStates: () => ReadonlyArray<readonly [kind: string, state: Readonly<KindState>]>;
  readonly seriesCount: () => number;
  /** This replica's shard; undefined while unknown. */
  readonly shard?: () => { readonly shard: number; readonly total: number } | undefined;
}

/** The exporter-wide self-metrics (the process metrics among them), built once; their users get them as fields. */
export class SelfMetrics {
  readonly registry = new Registry();
  readonly watchEvents: SelfMetric<'kube_api_exporter_watch_events_total'>;
  readonly watchErrors: SelfMetric<'kube_api_exporter_watch_errors_total'>;
  readonly watchRestarts: SelfMetric<'kube_api_exporter_watch_restarts_total'>;
  readonly invalidObjects: SelfMetric<'kube_api_exporter_invalid_objects_total'>;
  readonly flattenDropped: SelfMetric<'kube_api_exporter_flatten_dropped_total'>;
  readonly droppedSeries: SelfMetric<'kube_api_exporter_series_dropped_total'>;
  readonly scrapeDuration: SelfMetric<'kube_api_exporter_scrape_duration_seconds'>;
  readonly leanixPushes: SelfMetric<'kube_api_exporter_leanix_pushes_total'>;
  readonly reportsSent: SelfMetric<'kube_api_exporter_reports_sent_total'>;
  readonly reportsFailed: SelfMetric<'kube_api_exporter_reports_failed_total'>;
  readonly metricsRejected: SelfMetric<'kube_api_exporter_metrics_responses_rejected_total'>;
  readonly sendTimeouts: SelfMetric<'kube_api_exporter_http_send_timeouts_total'>;

  /** `processMetrics: false` for a registry nothing scrapes: no event-loop and GC observers run for it. */
  constructor(sources: SelfMetricSources, { processMetrics = true } = {}) {
    const { registry } = this;
    if (processMetrics) collectDefaultMetrics({ register: registry, prefix: SELF_PREFIX });
    this.watchEvents = selfMetric(registry, 'kube_api_exporter_watch_events_total');
    this.watchErrors = selfMetric(registry, 'kube_api_exporter_watch_errors_total');
    this.watchRestarts = selfMetric(registry, 'kube_api_exporter_watch_restarts_total');
    this.invalidObjects = selfMetric(registry, 'kube_api_exporter_invalid_objects_total');
    this.flattenDropped = selfMetric(registry, 'kube_api_exporter_flatten_dropped_total');
    this.droppedSeries = selfMetric(registry, 'kube_api_exporter_series_dropped_total');
    this.scrapeDuration = selfMetric(registry, 'kube_api_exporter_scrape_duration_seconds');
    this.leanixPushes = selfMetric(registry, 'kube_api_exporter_leanix_pushes_total');
    this.reportsSent = selfMetric(registry, 'kube_api_exporter_reports_sent_total');
    this.reportsFailed = selfMetric(registry, 'kube_api_exporter_reports_failed_total');
    this.metricsRejected = selfMetric(registry, 'kube_api_exporter_metrics_responses_rejected_total');
    for (const encoding of ['gzip', 'identity']) this.metricsRejected.inc({ encoding }, 0);
    this.sendTimeouts = selfMetric(registry, 'kube_api_exporter_http_send_timeouts_total');
    const perKind = (value: (state: Readonly<KindState>) => number | undefined) => () =>
      sources.kindStates().flatMap(([kind, state]) => {
        const read = value(state);
        return read === undefined ? [] : [[{ kind }, read] as const];
      });
    selfMetric(registry, 'kube_api_exporter_cache_objects', () =>
      sources.objectCounts().map(([kind, count]) => [{ kind }, count] as const),
    );
    selfMetric(
      registry,
      'kube_api_exporter_kind_synced',
      perKind((state) => (state.synced ? 1 : 0)),
    );
    selfMetric(
      registry,
      'kube_api_exporter_seconds_since_last_event',
      perKind((state) => state.lastEventAt && (Date.now() - state.lastEventAt.getTime()) / 1000),
    );
    selfMetric(
      registry,
      'kube_api_exporter_last_list_timestamp_seconds',
      perKind((state) => state.lastListAt && state.lastListAt.getTime() / 1000),
    );
    selfMetric(registry, 'kube_api_exporter_series', sources.seriesCount);
    selfMetric(registry, 'kube_api_exporter_shard_ordinal', () => sources.shard?.()?.shard ?? 0);
    selfMetric(registry, 'kube_api_exporter_total_shards', () => sources.shard?.()?.total ?? 0);
  }
}
