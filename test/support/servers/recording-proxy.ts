/** An HTTP proxy in front of an API server that records every request path and every byte of every response. */

import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface RecordingProxy {
  readonly url: string;
  /** Request paths with their query strings, in order. */
  readonly requests: string[];
  /** Everything the API server sent back so far, all responses concatenated. */
  received(): string;
}

export async function startRecordingProxy(t: ExecutionContext, target: string): Promise<RecordingProxy> {
  const requests: string[] = [];
  const chunks: Buffer[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push(incoming.url ?? '/');
    const upstream = httpRequest(
      new URL(incoming.url ?? '/', target),
      { method: incoming.method, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        outgoing.flushHeaders();
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    received: () => Buffer.concat(chunks).toString('utf8'),
  };
}
