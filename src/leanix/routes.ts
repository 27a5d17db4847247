/**
 * The LeanIX endpoints. Each answers conditional requests so that a poller fetches cheaply: an `ETag` (a hash of
 * the body) with `If-None-Match` → 304, and `X-Change-Count` (the cache's change counter) with `?since=N` → 304
 * without rendering when nothing changed after change N.
 */

import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { ClusterCache } from '../cache.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { LeanixDocuments } from './documents.js';

const LEANIX_ENDPOINTS = [
  { path: '/leanix.json', handler: 'leanix', render: (documents: LeanixDocuments) => documents.v1() },
  { path: '/leanix/v2.json', handler: 'leanix_v2', render: (documents: LeanixDocuments) => documents.v2() },
  { path: '/leanix/ldif.json', handler: 'leanix_ldif', render: (documents: LeanixDocuments) => documents.ldif() },
] as const;

const CHANGE_COUNT_HEADER = 'X-Change-Count';

export function bodyEtag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/**
 * Whether an If-None-Match header names the ETag (weak comparison, RFC 9110 13.1.2). Not koa's ctx.fresh: that
 * answers no whenever the request also says Cache-Control: no-cache, which fetch() adds to conditional requests.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

export function addLeanixRoutes(
  router: Router,
  documents: LeanixDocuments,
  cache: ClusterCache,
  selfMetrics: SelfMetrics,
): void {
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
      const etag = bodyEtag(body);
      ctx.set('ETag', etag);
      if (matchesIfNoneMatch(ctx.get('If-None-Match') || undefined, etag)) {
        ctx.status = 304;
      } else {
        ctx.type = 'application/json';
        ctx.body = body;
      }
      done();
    });
  }
}
