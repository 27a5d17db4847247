/** An HTTP receiver for pushes: records each request and answers with the statuses it is told to, then 200. */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface ReceivedRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Statuses for the next requests, in order; once used up, 200. */
  readonly statuses: number[];
  /** Delay before answering, in ms. */
  delayMs: number;
}

export async function startReceiver(t: ExecutionContext): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const statuses: number[] = [];
  const receiver = { url: '', requests, statuses, delayMs: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const status = statuses.shift() ?? 200;
      setTimeout(() => response.writeHead(status).end(), receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ldif`;
  return receiver;
}
