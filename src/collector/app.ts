/**
 * The collector's HTTP face (koa): POST /api/v1 (spartakus) and /api/v1/stats (tectonic) validate and store one
 * report each, answering 204 only once the row is committed; GET /api/v1/summary, /healthz and /metrics. A report
 * goes through, in order: the bearer token (when configured, 401), the sender's rate limit (429, before its body is
 * read), size and schema (413, 400), its cluster's daily cap (429, counted and inserted under a lock on the cluster ID).
 */

import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import getRawBody from 'raw-body';
import { clientAddress } from '../http/client-address.js';
import { authorized, type HttpAuth, requireAuth } from '../http/guard.js';
import { METRICS_CONTENT_TYPE } from '../metrics/exposition.js';
import type { ReportFormat } from '../report/report.js';
import type { Logger } from '../util/log.js';
import type { CollectorMetrics, RejectReason } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { validateRecord } from './record-schema.js';
import type { RecordStore } from './record-store.js';

const DEFAULT_SUMMARY_DAYS = 30;
const MAX_SUMMARY_DAYS = 3650;
const RETRY_AFTER_SECONDS = 30;
/** Retry-After for a cluster over its daily cap: no use retrying sooner than an hour. */
const CAPPED_RETRY_AFTER_SECONDS = 3600;
const NO_PATHS_OPEN: ReadonlySet<string> = new Set();

export interface CollectorAppOptions {
  readonly store: Pick<RecordStore, 'insert' | 'summary'>;
  readonly metrics: CollectorMetrics;
  readonly trustProxy: boolean;
  readonly maxBodyBytes: number;
  /** Credentials POSTed reports must carry; none: anyone may report. */
  readonly reportAuth?: HttpAuth;
  /** Credentials GET /api/v1/summary must carry; none: anyone may read it. */
  readonly summaryAuth?: HttpAuth;
  readonly reportsPerClientMinute: number;
  readonly reportsPerClusterDay: number;
  readonly log: Logger;
}

const INDEX_PAGE = `<!doctype html>
<html><head><title>kube-api-exporter collector</title></head>
<body><h1>kube-api-exporter collector</h1><ul>
<li>POST /api/v1: spartakus reports</li>
<li>POST /api/v1/stats: tectonic reports</li>
<li><a href="api/v1/summary">/api/v1/summary</a>: clusters and nodes seen (?days=N, default ${DEFAULT_SUMMARY_DAYS})</li>
<li><a href="metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="healthz">/healthz</a>: liveness</li>
</ul></body></html>
`;

export function createCollectorApp(options: CollectorAppOptions): Koa {
  const { store, metrics, log, reportAuth } = options;
  const router = new Router();
  const limiter = new RateLimiter(options.reportsPerClientMinute);

  const receive = (format: ReportFormat) => async (ctx: Context) => {
    const reject = (status: number, reason: RejectReason, message: string) => {
      metrics.rejected.inc({ format, reason });
      log.info('report rejected', { format, status, reason, message });
      ctx.status = status;
      ctx.body = { error: message };
    };
    if (reportAuth && !authorized(reportAuth, ctx.get('Authorization'))) {
      ctx.set('WWW-Authenticate', 'Bearer realm="kube-api-exporter collector"');
      return reject(401, 'unauthorized', 'a report needs the bearer token of --report-auth-token-file');
    }
    const receivedFrom = clientAddress(ctx.req.headers, ctx.req.socket.remoteAddress, options.trustProxy);
    const waitMs = limiter.take(receivedFrom, Date.now());
    if (waitMs > 0) {
      ctx.set('Retry-After', String(Math.ceil(waitMs / 1000)));
      return reject(
        429,
        'rate_limited',
        `more than ${options.reportsPerClientMinute} reports a minute from ${receivedFrom}`,
      );
    }
    let text: string;
    try {
      text = await getRawBody(ctx.req, {
        length: ctx.get('content-length') || undefined,
        limit: options.maxBodyBytes,
        encoding: 'utf8',
      });
    } catch (error) {
      const tooLarge = (error as { type?: string }).type === 'entity.too.large';
      if (tooLarge) return reject(413, 'too_large', `body larger than ${options.maxBodyBytes} bytes`);
      return reject(400, 'invalid', `cannot read the body: ${(error as Error).message}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return reject(400, 'invalid_json', `body is not JSON: ${(error as Error).message}`);
    }
    const validation = validateRecord(format, body);
    if (!validation.ok) return reject(400, 'invalid', validation.message);
    const receivedAt = new Date();
    const { record } = validation;
    const metadata = {
      ...record.metadata,
      received_at: String(Math.floor(receivedAt.getTime() / 1000)),
      received_from: receivedFrom,
    };
    let stored: boolean;
    try {
      stored = await store.insert({ ...record, metadata, receivedAt, receivedFrom }, options.reportsPerClusterDay);
    } catch (error) {
      metrics.storeFailures.inc({ format });
      log.error('cannot store report', { format, clusterID: record.clusterId, error: (error as Error).message });
      ctx.status = 503;
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.body = { error: 'the database is unavailable; the report was not stored, retry later' };
      return;
    }
    if (!stored) {
      ctx.set('Retry-After', String(CAPPED_RETRY_AFTER_SECONDS));
      return reject(
        429,
        'cluster_cap',
        `cluster ${record.clusterId} sent ${options.reportsPerClusterDay} reports in the last 24 hours; not stored`,
      );
    }
    metrics.accepted.inc({ format });
    log.debug('report stored', { format, clusterID: record.clusterId, receivedFrom });
    ctx.status = 204;
  };

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = INDEX_PAGE;
  });
  router.post('/api/v1', receive('spartakus'));
  router.post('/api/v1/stats', receive('tectonic'));
  router.get('/api/v1/summary', requireAuth(options.summaryAuth, NO_PATHS_OPEN), async (ctx) => {
    const daysText = typeof ctx.query.days === 'string' ? ctx.query.days : String(DEFAULT_SUMMARY_DAYS);
    const days = Number(daysText);
    if (!/^\d+$/.test(daysText) || days < 1 || days > MAX_SUMMARY_DAYS) {
      ctx.status = 400;
      ctx.body = { error: `days must be an integer from 1 to ${MAX_SUMMARY_DAYS}` };
      return;
    }
    try {
      ctx.body = await store.summary(days, new Date());
    } catch (error) {
      log.error('cannot read the summary', { error: (error as Error).message });
      ctx.status = 503;
      ctx.body = { error: 'the database is unavailable' };
    }
  });
  router.get('/healthz', (ctx) => {
    ctx.body = 'ok\n';
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = METRICS_CONTENT_TYPE;
    ctx.body = await metrics.registry.metrics();
  });

  const app = new Koa();
  app.on('error', (error: Error) => log.error('request failed', { error: error.message }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
