/** The HTTP face: koa + @koa/router. Handlers only read the cache and the watcher's state. */

import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { ClusterCache } from '../cache.js';
import type { EventStream } from '../events/event-stream.js';
import type { KindState } from '../kinds/state.js';
import type { KindSpec } from '../kinds/table.js';
import type { LeanixDocuments } from '../leanix/documents.js';
import { addLeanixRoutes } from '../leanix/routes.js';
import { METRICS_CONTENT_TYPE } from '../metrics/exposition.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Logger } from '../util/log.js';
import { type HttpAuth, onlyReadsOf, requireAuth } from './guard.js';
import { gzipBody } from './gzip.js';
import { CHUNK_BYTES, writeBody } from './send.js';

export interface AppOptions {
  readonly cache: ClusterCache;
  readonly selfMetrics: SelfMetrics;
  readonly kindStates: () => ReadonlyArray<readonly [KindSpec, Readonly<KindState>]>;
  readonly leanix: LeanixDocuments;
  readonly eventStream: EventStream;
  /** The cluster report (src/report/report.ts) for /report.json. */
  readonly report: () => unknown;
  readonly log: Logger;
  /** A kind whose lists and watches have failed this long, with nothing received, makes /readyz 503. */
  readonly unreadyAfterMs?: number;
  /** Credentials required for every endpoint but OPEN_PATHS. */
  readonly auth?: HttpAuth;
  /**
   * /metrics responses sent at once, per encoding (uncompressed, gzip); beyond, 503 with Retry-After. Each holds the
   * render it started with until the client has read it all. Default 2.
   */
  readonly maxMetricsResponses?: number;
}

/** Seconds a client turned away from /metrics is asked to wait. */
export const METRICS_RETRY_AFTER_SECONDS = 1;

/** Endpoints that serve no cluster data and stay open for probes; every other one needs `auth` when it is set. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/', '/healthz', '/readyz']);

export interface Readiness {
  readonly ready: boolean;
  readonly notReady: readonly string[];
  readonly kinds: Readonly<
    Record<
      string,
      { synced: boolean; failingSince?: string; lastError?: string; lastErrorAt?: string; nextRetryAt?: string }
    >
  >;
}

/** Ready when every kind has synced and none has been failing for `unreadyAfterMs` or longer. */
export function readiness(
  states: ReadonlyArray<readonly [KindSpec, Readonly<KindState>]>,
  unreadyAfterMs = Infinity,
  now = Date.now(),
): Readiness {
  const kinds = Object.fromEntries(
    states.map(([kind, state]) => [
      kind.metricName,
      {
        synced: state.synced,
        failingSince: state.failingSince?.toISOString(),
        lastError: state.lastError,
        lastErrorAt: state.lastErrorAt?.toISOString(),
        nextRetryAt: state.nextRetryAt?.toISOString(),
      },
    ]),
  );
  const failingTooLong = (state: Readonly<KindState>) =>
    state.failingSince !== undefined && now - state.failingSince.getTime() >= unreadyAfterMs;
  const notReady = states
    .filter(([, state]) => !state.synced || failingTooLong(state))
    .map(([kind]) => kind.metricName);
  return { ready: notReady.length === 0, notReady, kinds };
}

const INDEX_PAGE = `<!doctype html>
<html><head><title>kube-api-exporter</title></head>
<body><h1>kube-api-exporter</h1><ul>
<li><a href="metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="metrics/self">/metrics/self</a>: the exporter's own metrics only (cheap to scrape often)</li>
<li><a href="leanix.json">/leanix.json</a>: LeanIX inventory (v1)</li>
<li><a href="leanix/v2.json">/leanix/v2.json</a>: LeanIX inventory v2: services, deployments, pods, nodes, totals, history</li>
<li><a href="leanix/ldif.json">/leanix/ldif.json</a>: the inventory as LeanIX LDIF</li>
<li><a href="events">/events</a>: pod lifecycle events (Server-Sent Events)</li>
<li><a href="report.json">/report.json</a>: anonymous cluster report</li>
<li><a href="healthz">/healthz</a>: liveness</li>
<li><a href="readyz">/readyz</a>: readiness, per kind</li>
</ul></body></html>
`;

/**
 * Sends the shared parts of a render, then the per-request part, as one body: gzipped (one gzip member) when the client
 * accepts it; `onReady` once the body is ready to send. Written in chunks as the client takes them (src/http/send.ts);
 * resolves when the response is done.
 */
async function sendMetrics(
  ctx: Context,
  shared: readonly Buffer[],
  perRequest: Promise<Buffer>,
  onReady = () => {},
): Promise<void> {
  const gzipped = ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
  const parts = gzipped ? await gzipBody(shared, perRequest) : [...shared, await perRequest];
  onReady();
  ctx.respond = false;
  ctx.res.writeHead(200, {
    'Content-Type': METRICS_CONTENT_TYPE,
    Vary: 'Accept-Encoding',
    'Content-Length': parts.reduce((total, part) => total + part.length, 0),
    ...(gzipped ? { 'Content-Encoding': 'gzip' } : {}),
  });
  if (ctx.method === 'HEAD') ctx.res.end();
  else await writeBody(ctx.res, parts);
}

/**
 * Koa writes a body in one piece, which the socket counts as taken only once all of it is: a client reading a large
 * document (LeanIX) steadily but slower than the send timeout would be cut off. Bodies larger than a chunk go out
 * as /metrics does, in chunks whose progress the send timeout sees.
 */
async function largeBodiesInChunks(ctx: Context, next: () => Promise<void>): Promise<void> {
  await next();
  const { body } = ctx;
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.length <= CHUNK_BYTES) return;
  ctx.respond = false;
  ctx.res.writeHead(ctx.status, ctx.response.headers);
  if (ctx.method === 'HEAD') ctx.res.end();
  else await writeBody(ctx.res, [bytes]);
}

/** How many /metrics responses are being sent, per encoding. */
class ResponseSlots {
  private readonly busy = { gzip: 0, identity: 0 };
  constructor(private readonly max: number) {}

  /** Takes a slot for a response in this encoding; false when all are taken. */
  take(encoding: 'gzip' | 'identity'): boolean {
    if (this.busy[encoding] >= this.max) return false;
    this.busy[encoding] += 1;
    return true;
  }

  release(encoding: 'gzip' | 'identity'): void {
    this.busy[encoding] -= 1;
  }
}

export function createApp(options: AppOptions): Koa {
  const { cache, selfMetrics, log } = options;
  const router = new Router();

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = INDEX_PAGE;
  });
  const ownSeries = async () => Buffer.from(await selfMetrics.registry.metrics());
  const metricsSlots = new ResponseSlots(options.maxMetricsResponses ?? 2);
  router.get('/metrics', async (ctx) => {
    const encoding = ctx.acceptsEncodings('gzip', 'identity') === 'gzip' ? 'gzip' : 'identity';
    if (!metricsSlots.take(encoding)) {
      selfMetrics.metricsRejected.inc({ encoding });
      ctx.status = 503;
      ctx.set('Retry-After', String(METRICS_RETRY_AFTER_SECONDS));
      ctx.body = `too many /metrics responses (${encoding}) in flight: retry in ${METRICS_RETRY_AFTER_SECONDS} s\n`;
      return;
    }
    try {
      const done = selfMetrics.scrapeDuration.startTimer({ handler: 'metrics' });
      await sendMetrics(ctx, cache.metrics.render(), ownSeries(), done);
    } finally {
      metricsSlots.release(encoding);
    }
  });
  router.get('/metrics/self', async (ctx) => {
    await sendMetrics(ctx, [], ownSeries());
  });
  addLeanixRoutes(router, options.leanix, cache, selfMetrics);
  router.get('/events', options.eventStream.handle);
  router.get('/report.json', (ctx) => {
    const report = options.report();
    if (report === undefined) {
      ctx.status = 503;
      ctx.body = { error: 'the cluster ID is not known yet: reading the kube-system namespace' };
    } else {
      ctx.body = report;
    }
  });
  router.get('/healthz', (ctx) => {
    ctx.body = 'ok\n';
  });
  router.get('/readyz', (ctx) => {
    const state = readiness(options.kindStates(), options.unreadyAfterMs);
    ctx.status = state.ready ? 200 : 503;
    ctx.body = state;
  });

  const app = new Koa();
  app.on('error', (error: Error) => log.error('request failed', { error: error.message }));
  app.use(onlyReadsOf(new Set(router.stack.map((layer) => String(layer.path)))));
  app.use(requireAuth(options.auth, OPEN_PATHS));
  app.use(largeBodiesInChunks);
  app.use(router.routes());
  return app;
}
