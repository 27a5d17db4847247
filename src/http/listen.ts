/**
 * The listening socket: HTTP or HTTPS, with limits on request headers and the time a client may take to send a
 * request, and a graceful close (stop accepting, let in-flight responses finish, then cut what is left).
 */

import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Request limits: headers (with the request line) up to 16 KiB, sent within 10 s, the whole request within 30 s. */
const SERVER_OPTIONS: ServerOptions = {
  maxHeaderSize: 16 * 1024,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
};
/** A connection on which nothing moves for this long (a stalled reader of a large /metrics) is closed. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

export async function listen(handler: RequestListener, port: number, host: string, tls?: TlsFiles): Promise<Server> {
  const server = tls
    ? createHttpsServer({ ...SERVER_OPTIONS, cert: tls.cert, key: tls.key }, handler)
    : createHttpServer(SERVER_OPTIONS, handler);
  server.setTimeout(SOCKET_IDLE_TIMEOUT_MS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Stops accepting at once, lets requests in flight finish for up to `graceMs`, then closes every connection. */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(deadline);
}

/** The host part of a URL for clients: a wildcard listen address as localhost, IPv6 in brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
