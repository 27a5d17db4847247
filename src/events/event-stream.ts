/**
 * GET /events: the pod event stream as Server-Sent Events. A client that reconnects with `Last-Event-ID` (or
 * `?lastEventId=` for a first connection) gets the kept messages after that id, then the live ones. A client too
 * slow to take them is disconnected rather than buffered without bound; it can reconnect with its last id.
 */

import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';
import type { Registry } from 'prom-client';
import { type SelfMetric, selfMetric } from '../metrics/self-metrics.js';
import type { EventMessage, PodEventLog } from './event-log.js';

export interface EventStreamOptions {
  readonly registry: Registry;
  /** Bytes a client may fall behind before it is disconnected. */
  readonly maxBehindBytes?: number;
  readonly keepAliveMs?: number;
}

const frames = new WeakMap<EventMessage, string>();

/** One SSE frame: the id, and the message as JSON in `data`. Rendered once per message, however many clients follow. */
function sseFrame(message: EventMessage): string {
  let frame = frames.get(message);
  if (frame === undefined) {
    frame = `id: ${message.id}\ndata: ${JSON.stringify({ time: message.time, event: message.event, metadata: message.metadata })}\n\n`;
    frames.set(message, frame);
  }
  return frame;
}

export class EventStream {
  /** Open streams, each with the function that closes it. */
  private readonly open = new Map<ServerResponse, () => void>();
  private readonly maxBehindBytes: number;
  private readonly keepAliveMs: number;
  private readonly slowClients: SelfMetric<'kube_api_exporter_event_stream_slow_clients_total'>;

  constructor(
    private readonly events: PodEventLog,
    options: EventStreamOptions,
  ) {
    this.maxBehindBytes = options.maxBehindBytes ?? 1024 * 1024;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    selfMetric(options.registry, 'kube_api_exporter_event_stream_clients', () => this.clients);
    this.slowClients = selfMetric(options.registry, 'kube_api_exporter_event_stream_slow_clients_total');
  }

  get clients(): number {
    return this.open.size;
  }

  /** The koa handler for GET /events. */
  readonly handle = (ctx: Context): void => {
    const header = ctx.get('Last-Event-ID') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : '');
    if (header !== '' && !/^\d+$/.test(header)) {
      ctx.status = 400;
      ctx.body = { error: `Last-Event-ID must be a non-negative integer, got "${header}"` };
      return;
    }
    if (ctx.method === 'HEAD') {
      ctx.status = 200;
      ctx.type = 'text/event-stream; charset=utf-8';
      return;
    }
    ctx.respond = false;
    const res = ctx.res;
    ctx.req.socket.setTimeout(0);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    let unsubscribe = () => {};
    let keepAlive: NodeJS.Timeout | undefined;
    const close = () => {
      unsubscribe();
      clearInterval(keepAlive);
      this.open.delete(res);
      if (!res.writableEnded) res.end();
    };
    const send = (text: string) => {
      if (res.writableEnded) return;
      if (res.writableLength <= this.maxBehindBytes) {
        res.write(text);
        return;
      }
      this.slowClients.inc();
      close();
    };
    this.open.set(res, close);
    res.on('close', close);
    send(': kube-api-exporter pod events\n\n');
    if (header !== '') for (const message of this.events.since(Number(header))) send(sseFrame(message));
    if (res.writableEnded) return;
    unsubscribe = this.events.subscribe((message) => send(sseFrame(message)));
    keepAlive = setInterval(() => send(': keep-alive\n\n'), this.keepAliveMs);
  };

  /** Ends every open stream, so that the HTTP server can close. */
  closeAll(): void {
    for (const close of [...this.open.values()]) close();
  }
}
