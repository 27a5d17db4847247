/**
 * The self-metrics are an external format (dashboards and alerts use them): their names, types, label names and HELP
 * texts are pinned here, and every one of them must come from the one table in src/metrics/self-metrics.ts.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { PodEventLog } from '../../src/events/event-log.js';
import { EventStream } from '../../src/events/event-stream.js';
import { RedisSink } from '../../src/events/redis-sink.js';
import { SELF_METRICS, SelfMetrics } from '../../src/metrics/self-metrics.js';
import { silentLogger } from '../../src/util/log.js';

/** [name, type, label names, HELP], in the order /metrics shows them after the process metrics. */
const PINNED: ReadonlyArray<readonly [string, string, readonly string[], string]> = [
  [
    'kube_api_exporter_watch_events_total',
    'counter',
    ['kind', 'type'],
    'Objects added, updated or deleted in the cache, from lists and watches, per kind.',
  ],
  [
    'kube_api_exporter_watch_errors_total',
    'counter',
    ['kind', 'reason'],
    'Failed lists or watches per kind and reason; each is retried with backoff, by a relist.',
  ],
  [
    'kube_api_exporter_watch_restarts_total',
    'counter',
    ['kind'],
    'Lists or watches started again per kind: after a watch ended (server timeout, stall, error) or a failure.',
  ],
  [
    'kube_api_exporter_invalid_objects_total',
    'counter',
    ['kind'],
    'Objects skipped because they could not be read (not an object with an object metadata, no name, no namespace), per kind.',
  ],
  [
    'kube_api_exporter_flatten_dropped_total',
    'counter',
    ['kind', 'reason'],
    'What the flatten limits held back, per kind and reason: depth (fields not walked), series_limit, label_length and name_taken (series not exported).',
  ],
  [
    'kube_api_exporter_series_dropped_total',
    'counter',
    ['kind', 'reason'],
    'Object series left out by cardinality control each time an object was rendered, per kind and reason (denied by name, over the per-object limit).',
  ],
  ['kube_api_exporter_scrape_duration_seconds', 'histogram', ['handler'], 'Time to render a response, per handler.'],
  [
    'kube_api_exporter_leanix_pushes_total',
    'counter',
    ['result'],
    'Attempts to POST the LDIF document to --leanix-push-url, by result (ok, failed).',
  ],
  ['kube_api_exporter_reports_sent_total', 'counter', [], 'Cluster reports the collector accepted (--report-url).'],
  [
    'kube_api_exporter_reports_failed_total',
    'counter',
    [],
    'Failed attempts to send a cluster report; each is retried with backoff.',
  ],
  [
    'kube_api_exporter_metrics_responses_rejected_total',
    'counter',
    ['encoding'],
    'Requests for /metrics answered 503 because --max-metrics-responses were being sent in that encoding (gzip, identity).',
  ],
  [
    'kube_api_exporter_http_send_timeouts_total',
    'counter',
    [],
    'Connections destroyed because the client took none of a response for --send-timeout.',
  ],
  ['kube_api_exporter_cache_objects', 'gauge', ['kind'], 'Objects in the cache per kind.'],
  ['kube_api_exporter_kind_synced', 'gauge', ['kind'], '1 once the kind has completed its initial list, else 0.'],
  [
    'kube_api_exporter_seconds_since_last_event',
    'gauge',
    ['kind'],
    'Seconds since the kind last received anything: a watch event or bookmark, or a list.',
  ],
  ['kube_api_exporter_last_list_timestamp_seconds', 'gauge', ['kind'], "Unix time of the kind's last successful list."],
  ['kube_api_exporter_series', 'gauge', [], 'Object series exported on /metrics.'],
  ['kube_api_exporter_shard_ordinal', 'gauge', [], "This replica's shard, 0-based."],
  [
    'kube_api_exporter_total_shards',
    'gauge',
    [],
    'Number of shards the objects are split over; 0 while auto-sharding has not read its StatefulSet.',
  ],
  [
    'kube_api_exporter_pod_events_total',
    'counter',
    ['event'],
    'Pod lifecycle events derived from the cache, per event (one per pod, not per container).',
  ],
  ['kube_api_exporter_event_stream_clients', 'gauge', [], 'Clients connected to /events.'],
  [
    'kube_api_exporter_event_stream_slow_clients_total',
    'counter',
    [],
    'Clients of /events disconnected because they fell behind the kept messages.',
  ],
  ['kube_api_exporter_redis_published_total', 'counter', [], 'Pod event messages published to Redis.'],
  [
    'kube_api_exporter_redis_dropped_total',
    'counter',
    [],
    'Pod event messages dropped because Redis was unreachable and the buffer was full.',
  ],
  ['kube_api_exporter_redis_buffered', 'gauge', [], 'Pod event messages waiting to be published to Redis.'],
  ['kube_api_exporter_redis_up', 'gauge', [], '1 while the connection to Redis is ready, else 0.'],
];

test('the declared self-metrics are exactly the pinned names, types, label names and HELP texts', (t) => {
  t.deepEqual(
    Object.entries(SELF_METRICS).map(([name, { type, labelNames, help }]) => [name, type, [...labelNames], help]),
    PINNED.map(([name, type, labelNames, help]) => [name, type, [...labelNames], help]),
  );
});

test('the exporter, its event log, event stream and Redis sink register every declared self-metric, as declared, and no other but the process metrics', async (t) => {
  const selfMetrics = new SelfMetrics({ objectCounts: () => [], kindStates: () => [], seriesCount: () => 0 });
  const { registry } = selfMetrics;
  const events = new PodEventLog({ capacity: 1, registry, log: silentLogger });
  new EventStream(events, { registry });
  const redis = new RedisSink({ url: 'redis://127.0.0.1:1', registry, log: silentLogger });
  t.teardown(() => redis.stop());
  const registered = registry.getMetricsAsArray().map((metric) => {
    const { name, help, type, labelNames } = metric as unknown as {
      name: string;
      help: string;
      type: string;
      labelNames: string[];
    };
    return [name, type, [...labelNames], help];
  });
  const processMetrics = registered.filter(([name]) => /^kube_api_exporter_(process|nodejs)_/.test(name as string));
  t.true(processMetrics.length > 0);
  t.deepEqual(
    registered.filter((metric) => !processMetrics.includes(metric)),
    PINNED.map(([name, type, labelNames, help]) => [name, type, [...labelNames], help]),
  );
});

test('no module builds a self-metric but from the table: prom-client metrics are made only in self-metrics.ts (and the collector, a program of its own)', (t) => {
  const src = new URL('../../src/', import.meta.url).pathname;
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
  const building = files.filter(
    (file) =>
      /\bnew (Counter|Gauge|Histogram|Summary)\b|collectDefaultMetrics\(/.test(readFileSync(join(src, file), 'utf8')) &&
      !['metrics/self-metrics.ts', 'collector/metrics.ts'].includes(file),
  );
  t.deepEqual(building, []);
});
