/**
 * Pushes the LDIF document to a URL when the inventory changed. `changed()` is all the watch path calls: it only
 * marks the inventory dirty and arms a timer, so a slow or failing receiver never delays the cache. The first
 * change after a quiet period arms the debounce timer; the changes that follow within the interval ride along, so a
 * burst of changes makes one push of the state at the end of the interval. A document identical to the last one
 * delivered is not sent again. 5xx, 408, 429 and network errors are retried with capped exponential backoff (the
 * document is rendered afresh for each attempt) until one succeeds; another 4xx is logged and dropped until the
 * next change.
 */

import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Backoff, backoffDelay } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import { postJson } from '../util/post-json.js';

export type PushResult = 'ok' | 'failed';

export interface LeanixPusherOptions {
  readonly url: string;
  readonly debounceMs: number;
  /** The document to send, as JSON text. */
  readonly render: () => string;
  readonly backoff: Backoff;
  readonly log: Logger;
  /** Called once per attempt. */
  readonly onResult: (result: PushResult) => void;
  readonly timeoutMs?: number;
}

const RETRIED_CLIENT_ERRORS = new Set([408, 429]);

export class LeanixPusher {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private lastDelivered: string | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: LeanixPusherOptions) {}

  /** The inventory may have changed. Cheap and synchronous. */
  changed(): void {
    this.dirty = true;
    if (!this.timer && !this.inFlight && !this.stopped)
      this.timer = setTimeout(() => this.flush(), this.options.debounceMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.inFlight;
  }

  private flush(): void {
    this.timer = undefined;
    this.dirty = false;
    this.inFlight = this.deliver().finally(() => {
      this.inFlight = undefined;
      if (this.dirty) this.changed();
    });
  }

  private async deliver(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      const body = this.options.render();
      const digest = createHash('sha1').update(body).digest('hex');
      if (digest === this.lastDelivered) return;
      const outcome = await this.post(body);
      if (this.stopped) return;
      this.options.onResult(outcome === 'ok' ? 'ok' : 'failed');
      if (outcome === 'ok') {
        this.lastDelivered = digest;
        return;
      }
      if (outcome === 'give-up') return;
      failures += 1;
      await this.sleep(backoffDelay(this.options.backoff, failures));
    }
  }

  private async post(body: string): Promise<'ok' | 'retry' | 'give-up'> {
    const { url, log } = this.options;
    try {
      const answer = await postJson(url, body, this.abort.signal, this.options.timeoutMs ?? 30_000);
      if (answer.ok) {
        log.debug('LeanIX push delivered', { url, status: answer.status, bytes: body.length });
        return 'ok';
      }
      const retry = answer.status >= 500 || RETRIED_CLIENT_ERRORS.has(answer.status);
      log.warn('LeanIX push refused', { url, status: answer.status, retry });
      return retry ? 'retry' : 'give-up';
    } catch (error) {
      if (!this.stopped) log.warn('LeanIX push failed', { url, error: (error as Error).message, retry: true });
      return 'retry';
    }
  }

  private async sleep(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.abort.signal }).catch(() => {});
  }
}
