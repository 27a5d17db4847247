/**
 * GET /events: the pod event stream as Server-Sent Events. A client that reconnects with `Last-Event-ID` (or
 * `?lastEventId=` for a first connection) gets the kept messages after that id, then the live ones. Each client is a
 * cursor into the event log's kept messages: new messages go out in bursts, and a client is written the next ones
 * whenever its socket has taken what it was given, so what waits for a slow client is at most one batch, and the log
 * is the queue all clients share. A client
 * that falls behind the kept messages is disconnected (its socket destroyed); it can reconnect with its last id.
 */

import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';
import type { Registry } from 'prom-client';
import { type SelfMetric, selfMetric } from '../metrics/self-metrics.js';
import type { EventMessage, PodEventLog } from './event-log.js';

export interface EventStreamOptions {
  readonly registry: Registry;
  readonly keepAliveMs?: number;
}

/** A write to a client carries frames up to about this many bytes; the next waits until the socket took it. */
const BATCH_BYTES = 16 * 1024;
/**
 * New messages go out this long after the first of them, together: one write per client for a burst, not one per
 * message (at 600 messages/s and 1,000 clients, writes one by one would take more CPU than the exporter has).
 */
const FLUSH_MS = 20;

/** The next frames for a client at each id, built once per flush and shared by every client at that id. */
class Batches {
  private readonly built = new Map<number, { readonly text: string; readonly last: number }>();
  constructor(private readonly events: PodEventLog) {}

  after(cursor: number): { readonly text: string; readonly last: number } | undefined {
    let batch = this.built.get(cursor);
    if (batch === undefined) {
      let text = '';
      let last = cursor;
      for (const message of this.events.after(cursor, 256)) {
        text += sseFrame(message);
        last = message.id;
        if (text.length >= BATCH_BYTES) break;
      }
      if (text === '') return undefined;
      batch = { text, last };
      this.built.set(cursor, batch);
    }
    return batch;
  }
}

interface Client {
  /** Writes what the client has not had, while its socket takes it; disconnects it if it fell behind. */
  readonly pump: (batches: Batches) => void;
  readonly close: () => void;
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
  /** Open streams. */
  private readonly open = new Map<ServerResponse, Client>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly keepAliveMs: number;
  private readonly slowClients: SelfMetric<'kube_api_exporter_event_stream_slow_clients_total'>;

  constructor(
    private readonly events: PodEventLog,
    options: EventStreamOptions,
  ) {
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    selfMetric(options.registry, 'kube_api_exporter_event_stream_clients', () => this.clients);
    this.slowClients = selfMetric(options.registry, 'kube_api_exporter_event_stream_slow_clients_total');
    events.subscribe(() => {
      this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
    });
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batches = new Batches(this.events);
    for (const client of [...this.open.values()]) client.pump(batches);
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
    const events = this.events;
    // The id of the last message written. An id newer than any message is from before a restart of this process (ids
    // start again at 1): then everything kept is replayed; an id older than what is kept gets what is kept.
    const given = header === '' ? events.newestId : Number(header);
    let cursor = given > events.newestId ? events.oldestId - 1 : Math.max(given, events.oldestId - 1);
    let keepAlive: NodeJS.Timeout | undefined;
    const onDrain = () => pump(new Batches(events));
    const close = () => {
      clearInterval(keepAlive);
      res.off('drain', onDrain);
      this.open.delete(res);
      if (!res.writableEnded) res.end();
    };
    /** Let go without waiting for what is queued to be read: the socket and all it holds are freed now. */
    const drop = () => {
      this.slowClients.inc();
      close();
      res.destroy();
    };
    const pump = (batches: Batches) => {
      if (cursor < events.oldestId - 1) return drop();
      while (!res.writableNeedDrain && !res.writableEnded) {
        const batch = batches.after(cursor);
        if (batch === undefined) return;
        cursor = batch.last;
        res.write(batch.text);
      }
    };
    this.open.set(res, { pump, close });
    res.on('close', close);
    res.on('drain', onDrain);
    res.write(': kube-api-exporter pod events\n\n');
    pump(new Batches(events));
    keepAlive = setInterval(() => {
      if (!res.writableNeedDrain) res.write(': keep-alive\n\n');
    }, this.keepAliveMs);
  };

  /** Ends every open stream, so that the HTTP server can close. */
  closeAll(): void {
    for (const client of [...this.open.values()]) client.close();
  }
}
