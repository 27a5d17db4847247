/**
 * The listening socket: HTTP or HTTPS, with limits on request headers and the time a client may take to send a
 * request, a send timeout for clients that stop reading a response, and a graceful close (stop accepting, let
 * in-flight responses finish, then cut what is left).
 */

import {
  createServer as createHttpServer,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
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
/** An idle connection (no request, no response being written) is closed after this long. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

export interface SendLimits {
  /** A response with bytes waiting that the client has taken none of for this long has its connection destroyed. */
  readonly sendTimeoutMs: number;
  /** Called for each connection so destroyed. */
  readonly onSendTimeout?: () => void;
}

export async function listen(
  handler: RequestListener,
  port: number,
  host: string,
  tls?: TlsFiles,
  sendLimits?: SendLimits,
): Promise<Server> {
  const server = tls
    ? createHttpsServer({ ...SERVER_OPTIONS, cert: tls.cert, key: tls.key }, handler)
    : createHttpServer(SERVER_OPTIONS, handler);
  server.setTimeout(SOCKET_IDLE_TIMEOUT_MS);
  if (sendLimits) closeStalledSends(server, sendLimits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Node's socket timeout does not fire while a write is pending, so a client that stops reading a response would hold
 * it, and every Buffer it refers to, for as long as it keeps the connection open. This watches every response being
 * sent: the bytes its socket has completed writing (dispatched minus still in flight) must grow while bytes wait.
 */
function closeStalledSends(server: Server, { sendTimeoutMs, onSendTimeout }: SendLimits): void {
  const sending = new Map<ServerResponse, { taken: number; since: number }>();
  server.on('request', (_request, response: ServerResponse) => {
    sending.set(response, { taken: -1, since: Date.now() });
    response.once('close', () => sending.delete(response));
  });
  const check = setInterval(
    () => {
      const now = Date.now();
      for (const [response, progress] of sending) {
        const socket = response.socket;
        if (!socket || socket.destroyed) continue;
        const waiting = socket.writableLength;
        const taken = socket.bytesWritten - waiting;
        if (waiting === 0 || taken !== progress.taken) {
          progress.taken = taken;
          progress.since = now;
        } else if (now - progress.since >= sendTimeoutMs) {
          sending.delete(response);
          socket.destroy();
          onSendTimeout?.();
        }
      }
    },
    Math.max(10, Math.min(1000, sendTimeoutMs / 4)),
  );
  check.unref();
  server.once('close', () => clearInterval(check));
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
