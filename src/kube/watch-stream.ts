/**
 * The watch request under client-node's ListWatch, replacing client-node's Watch (1.4), which never notices a
 * stalled watch (its 30 s AbortSignal.timeout is overwritten before use, and ListWatch sends no timeoutSeconds),
 * and drops lines it cannot parse silently, losing the event in them. This one:
 *
 * - asks the API server to end the watch after `timeoutSeconds` (ListWatch then resumes from its resourceVersion);
 * - abandons a watch that sends nothing (no event, no bookmark) for `idleTimeoutMs`: a stall, reported as an error;
 * - ends the watch with an error at the first line that is not a well-formed event, so ListWatch resumes from the
 *   last event it did read and the server sends the lost one again;
 * - reports ERROR events and HTTP errors with their status (410 Gone and "too large resource version" as 410, which
 *   makes ListWatch relist) and Retry-After.
 */

import { StringDecoder } from 'node:string_decoder';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { isKubeObject } from '../objects/kube-object.js';
import { ApiError, isExpiredStatus, responseError } from './api-error.js';
import { apiUrl } from './list.js';

export interface WatchTimeouts {
  /** Sent as the watch's timeoutSeconds: the server ends the watch after this long. */
  readonly timeoutSeconds: number;
  /** A watch that sends nothing for this long is abandoned and resumed. */
  readonly idleTimeoutMs: number;
}

type Callback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type QueryParams = Record<string, string | number | boolean | undefined>;

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

export class StreamWatch extends Watch {
  private readonly live = new Set<AbortController>();
  private closed = false;

  constructor(
    config: KubeConfig,
    private readonly timeouts: WatchTimeouts,
    /** Called for every line received: the watch is alive. */
    private readonly onActivity: () => void = () => {},
    /** Called for an event whose object is not an object with an object `metadata`: skipped, the watch goes on. */
    private readonly onSkipped: (object: unknown) => void = () => {},
  ) {
    super(config);
  }

  /** Ends every open watch; later watch() calls end at once. */
  close(): void {
    this.closed = true;
    for (const controller of this.live) controller.abort();
    this.live.clear();
  }

  override async watch(
    path: string,
    queryParams: QueryParams,
    callback: Callback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    let finished = false;
    let idleTimer: NodeJS.Timeout | undefined;
    // done() runs after this call has returned: ListWatch stores the returned controller first, and a done() that
    // starts the next watch before that would have its controller overwritten.
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(idleTimer);
      this.live.delete(controller);
      controller.abort();
      setImmediate(() => done(error ?? null));
    };
    if (this.closed) {
      finish(null);
      return controller;
    }
    this.live.add(controller);
    const { timeoutSeconds, idleTimeoutMs } = this.timeouts;
    const stillAlive = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => finish(new ApiError(`watch ${path}: nothing received for ${idleTimeoutMs / 1000} s`, 'stalled')),
        idleTimeoutMs,
      );
    };
    stillAlive();
    try {
      const url = apiUrl(this.config, path, {
        watch: 'true',
        ...queryParams,
        allowWatchBookmarks: true,
        timeoutSeconds,
      });
      const init = await this.config.applyToFetchOptions({});
      const response = await fetch(url.href, {
        ...init,
        method: 'GET',
        headers: init.headers as never,
        signal: controller.signal as never,
      });
      if (finished) return controller;
      if (response.status !== 200) {
        finish(await responseError(response, `watch ${path}`));
        return controller;
      }
      const decoder = new StringDecoder('utf8');
      let buffer = '';
      const body = response.body;
      body.on('data', (chunk: Buffer) => {
        if (finished) return;
        stillAlive();
        const lines = (buffer + decoder.write(chunk)).split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          if (finished) return;
          if (line.trim() === '') continue;
          this.onActivity();
          const problem = readEvent(line, callback, this.onSkipped);
          if (problem) finish(problem);
        }
      });
      body.on('end', () =>
        finish(buffer.trim() ? new ApiError(`watch ${path}: stream ended inside an event`, 'malformed_event') : null),
      );
      body.on('error', (error: Error) => finish(error));
      body.on('close', () => finish(new ApiError(`watch ${path}: connection closed mid-stream`, 'connection')));
    } catch (error) {
      finish(error);
    }
    return controller;
  }
}

/**
 * Hands one line to ListWatch; returns the error that must end the watch, if any. A well-formed event whose object
 * cannot be held (no object `metadata`: client-node's informer would throw on it) is skipped and the watch goes on:
 * the line was read whole, so nothing after it is lost.
 */
function readEvent(line: string, callback: Callback, onSkipped: (object: unknown) => void): ApiError | undefined {
  let event: { type?: unknown; object?: { message?: unknown; code?: unknown; metadata?: unknown } | null };
  try {
    event = JSON.parse(line);
  } catch {
    return new ApiError(`malformed watch event (${line.length} bytes): ${line.slice(0, 80)}`, 'malformed_event');
  }
  const object = event?.object;
  if (event?.type === 'ERROR') {
    const message = `watch ERROR event: ${object?.message ?? JSON.stringify(object)}`;
    if (isExpiredStatus(object)) return new ApiError(message, 'expired', 410);
    const code = typeof object?.code === 'number' ? object.code : undefined;
    return new ApiError(message, code ? `http_${code}` : 'other', code);
  }
  if (typeof event?.type !== 'string' || !OBJECT_EVENTS.has(event.type)) {
    return new ApiError(`malformed watch event: ${line.slice(0, 80)}`, 'malformed_event');
  }
  if (!isKubeObject(object)) onSkipped(object);
  else callback(event.type, object, event);
  return undefined;
}
