/** Who sent a request, for received_from. Pure. */

import type { IncomingHttpHeaders } from 'node:http';

/**
 * The socket's peer address; with trustProxy, the client a proxy names in X-Forwarded-For (its first entry) or
 * X-Real-IP. Those headers are whatever the sender wrote unless a proxy in front sets them, so they are ignored
 * by default.
 */
export function clientAddress(
  headers: IncomingHttpHeaders,
  socketAddress: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const forwarded = String(headers['x-forwarded-for'] ?? '')
      .split(',')[0]
      .trim();
    if (forwarded) return unmapped(forwarded);
    const real = String(headers['x-real-ip'] ?? '').trim();
    if (real) return unmapped(real);
  }
  return unmapped(socketAddress ?? 'unknown');
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) → `192.0.2.1`. */
function unmapped(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}
