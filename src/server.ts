/** The HTTP face: koa + @koa/router. Handlers only read the cache and the watcher's state. */

import Router from '@koa/router';
import Koa from 'koa';
import type { ClusterCache } from './cache.js';
import { kindByMetricName, type KindSpec } from './kinds.js';
import { renderLeanix } from './leanix.js';
import type { Logger } from './log.js';
import type { SelfMetrics } from './self-metrics.js';
import type { KindState } from './watch.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface AppOptions {
  readonly cache: ClusterCache;
  readonly selfMetrics: SelfMetrics;
  readonly kindStates: () => ReadonlyArray<readonly [KindSpec, Readonly<KindState>]>;
  readonly leanixExcludeNamespaces: ReadonlySet<string>;
  /** The cluster report (src/report.ts) for /report.json. */
  readonly report: () => unknown;
  readonly log: Logger;
}

export interface Readiness {
  readonly ready: boolean;
  readonly notReady: readonly string[];
  readonly kinds: Readonly<Record<string, { synced: boolean; lastError?: string; lastErrorAt?: string; nextRetryAt?: string }>>;
}

export function readiness(states: ReadonlyArray<readonly [KindSpec, Readonly<KindState>]>): Readiness {
  const kinds = Object.fromEntries(
    states.map(([kind, state]) => [
      kind.metricName,
      {
        synced: state.synced,
        lastError: state.lastError,
        lastErrorAt: state.lastErrorAt?.toISOString(),
        nextRetryAt: state.nextRetryAt?.toISOString(),
      },
    ]),
  );
  const notReady = states.filter(([, state]) => !state.synced).map(([kind]) => kind.metricName);
  return { ready: notReady.length === 0, notReady, kinds };
}

const INDEX_PAGE = `<!doctype html>
<html><head><title>kube-api-exporter</title></head>
<body><h1>kube-api-exporter</h1><ul>
<li><a href="metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="leanix.json">/leanix.json</a>: LeanIX inventory</li>
<li><a href="report.json">/report.json</a>: anonymous cluster report</li>
<li><a href="healthz">/healthz</a>: liveness</li>
<li><a href="readyz">/readyz</a>: readiness, per kind</li>
</ul></body></html>
`;

export function createApp(options: AppOptions): Koa {
  const { cache, selfMetrics, log } = options;
  const podKind = kindByMetricName('pod')!;
  const router = new Router();

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = INDEX_PAGE;
  });
  router.get('/metrics', async (ctx) => {
    const done = selfMetrics.scrapeDuration.startTimer({ handler: 'metrics' });
    const objectSeries = cache.metrics.render();
    const ownSeries = await selfMetrics.registry.metrics();
    ctx.type = METRICS_CONTENT_TYPE;
    ctx.body = objectSeries + ownSeries;
    done();
  });
  router.get('/leanix.json', (ctx) => {
    const done = selfMetrics.scrapeDuration.startTimer({ handler: 'leanix' });
    ctx.body = renderLeanix(cache.objects(podKind), options.leanixExcludeNamespaces, cache.lastChange);
    done();
  });
  router.get('/report.json', (ctx) => {
    ctx.body = options.report();
  });
  router.get('/healthz', (ctx) => {
    ctx.body = 'ok\n';
  });
  router.get('/readyz', (ctx) => {
    const state = readiness(options.kindStates());
    ctx.status = state.ready ? 200 : 503;
    ctx.body = state;
  });

  const app = new Koa();
  app.on('error', (error: Error) => log.error('request failed', { error: error.message }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
