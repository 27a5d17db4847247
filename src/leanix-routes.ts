/**
 * The LeanIX endpoints. Each answers conditional requests so that a poller fetches cheaply: an `ETag` (a hash of
 * the body) with `If-None-Match` → 304, and `X-Change-Count` (the cache's change counter) with `?since=N` → 304
 * without rendering when nothing changed after change N.
 */

import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { ClusterCache } from './cache.js';
import type { LeanixDocuments } from './leanix-documents.js';
import type { SelfMetrics } from './self-metrics.js';

export const LEANIX_ENDPOINTS = [
  { path: '/leanix.json', handler: 'leanix', render: (documents: LeanixDocuments) => documents.v1() },
  { path: '/leanix/v2.json', handler: 'leanix_v2', render: (documents: LeanixDocuments) => documents.v2() },
  { path: '/leanix/ldif.json', handler: 'leanix_ldif', render: (documents: LeanixDocuments) => documents.ldif() },
] as const;

export const CHANGE_COUNT_HEADER = 'X-Change-Count';

export function bodyEtag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

export function addLeanixRoutes(router: Router, documents: LeanixDocuments, cache: ClusterCache, selfMetrics: SelfMetrics): void {
  for (const endpoint of LEANIX_ENDPOINTS) {
    router.get(endpoint.path, (ctx) => {
      const changeCount = cache.changeCount;
      ctx.set(CHANGE_COUNT_HEADER, String(changeCount));
      const since = ctx.query.since;
      if (since !== undefined) {
        if (typeof since !== 'string' || !/^\d+$/.test(since)) {
          ctx.status = 400;
          ctx.body = { error: `since must be a change count (a whole number), got ${JSON.stringify(since)}` };
          return;
        }
        if (changeCount <= Number(since)) {
          ctx.status = 304;
          return;
        }
      }
      const done = selfMetrics.scrapeDuration.startTimer({ handler: endpoint.handler });
      const body = JSON.stringify(endpoint.render(documents));
      ctx.type = 'application/json';
      ctx.etag = bodyEtag(body);
      ctx.status = 200;
      if (ctx.fresh) ctx.status = 304;
      else ctx.body = body;
      done();
    });
  }
}
