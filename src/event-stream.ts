/**
 * GET /events: the pod event stream as Server-Sent Events. A client that reconnects with `Last-Event-ID` (or
 * `?lastEventId=` for a first connection) gets the kept messages after that id, then the live ones. A client too
 * slow to take them is disconnected rather than buffered without bound; it can reconnect with its last id.
 */

import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';
import type { EventMessage, PodEventLog } from './event-log.js';

export interface EventStreamOptions {
  /** Bytes a client may fall behind before it is disconnected. */
  readonly maxBehindBytes?: number;
  readonly keepAliveMs?: number;
}

/** One SSE frame: the id, and the message as JSON in `data`. */
export function sseFrame(message: EventMessage): string {
  return `id: ${message.id}\ndata: ${JSON.stringify({ time: message.time, event: message.event, metadata: message.metadata })}\n\n`;
}

export class EventStream {
  private readonly open = new Set<ServerResponse>();
  private readonly maxBehindBytes: number;
  private readonly keepAliveMs: number;

  constructor(private readonly events: PodEventLog, options: EventStreamOptions = {}) {
    this.maxBehindBytes = options.maxBehindBytes ?? 1024 * 1024;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
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
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    this.open.add(res);
    const send = (text: string) => {
      if (res.writableLength > this.maxBehindBytes) res.end();
      else res.write(text);
    };
    send(': kube-api-exporter pod events\n\n');
    if (header !== '') for (const message of this.events.since(Number(header))) send(sseFrame(message));
    const unsubscribe = this.events.subscribe((message) => send(sseFrame(message)));
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), this.keepAliveMs);
    res.on('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
      this.open.delete(res);
    });
  };

  /** Ends every open stream, so that the HTTP server can close. */
  closeAll(): void {
    for (const res of this.open) res.end();
  }
}
