/**
 * What the HTTP server lets through: reads (GET, HEAD) of known routes without a body, and, when configured, only
 * authenticated requests to the data endpoints. koa middleware, ahead of the router.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

/** Either or both; a request passing one of them is let in. */
export interface HttpAuth {
  readonly bearerToken?: string;
  readonly basic?: { readonly user: string; readonly password: string };
}

/** 404 for unknown paths, 405 for methods other than GET and HEAD, 413 for a request with a body. */
export function onlyReadsOf(knownPaths: ReadonlySet<string>): Middleware {
  return async (ctx, next) => {
    if (!knownPaths.has(ctx.path)) {
      ctx.status = 404;
      ctx.body = 'not found\n';
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = 'method not allowed\n';
      return;
    }
    const length = ctx.get('Content-Length');
    if ((length !== '' && length !== '0') || ctx.get('Transfer-Encoding') !== '') {
      ctx.status = 413;
      ctx.body = 'requests take no body\n';
      return;
    }
    await next();
  };
}

/** 401 for requests to any path but `openPaths` without valid credentials, when `auth` asks for any. */
export function requireAuth(auth: HttpAuth | undefined, openPaths: ReadonlySet<string>): Middleware {
  return async (ctx, next) => {
    if (
      auth &&
      (auth.bearerToken !== undefined || auth.basic !== undefined) &&
      !openPaths.has(ctx.path) &&
      !authorized(auth, ctx.get('Authorization'))
    ) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', auth.basic ? 'Basic realm="kube-api-exporter"' : 'Bearer realm="kube-api-exporter"');
      ctx.body = 'unauthorized\n';
      return;
    }
    await next();
  };
}

export function authorized(auth: HttpAuth, header: string): boolean {
  const [scheme, credentials = ''] = header.split(' ', 2);
  if (auth.bearerToken !== undefined && scheme === 'Bearer') return sameSecret(credentials, auth.bearerToken);
  if (auth.basic !== undefined && scheme === 'Basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Both compared, always: how far a guess got must not show in the time taken.
    const user = sameSecret(decoded.slice(0, Math.max(colon, 0)), auth.basic.user);
    const password = sameSecret(decoded.slice(colon + 1), auth.basic.password);
    return colon >= 0 && user && password;
  }
  return false;
}

/** Constant-time comparison of any two strings (through digests, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
