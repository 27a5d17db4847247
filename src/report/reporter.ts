/**
 * The volunteer: POSTs the cluster report to a collector every interval. A failed POST (network error, timeout,
 * non-2xx answer) is retried with capped exponential backoff, never sooner than the backoff and never later than
 * the next regular report. It runs on timers beside the watches and never waits on them or they on it.
 */

import type { SelfMetrics } from '../metrics/self-metrics.js';
import { type Backoff, backoffDelay } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import { postJson } from '../util/post-json.js';
import type { Report } from './report.js';

const DEFAULT_REPORT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 300_000 };
const POST_TIMEOUT_MS = 30_000;

export interface ReporterOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` (the collector's --report-auth-token-file). */
  readonly authToken?: string;
  readonly intervalMs: number;
  /** The report to send now. */
  readonly build: () => Report;
  /** False until the nodes are in the cache: no report of an empty cluster is sent while the first list runs. */
  readonly ready: () => boolean;
  readonly selfMetrics: SelfMetrics;
  readonly log: Logger;
  readonly backoff?: Backoff;
}

export class Reporter {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly stopping = new AbortController();

  constructor(private readonly options: ReporterOptions) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopping.abort();
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => void this.attempt(), delayMs);
  }

  private async attempt(): Promise<void> {
    const { url, intervalMs, selfMetrics, log } = this.options;
    const backoff = this.options.backoff ?? DEFAULT_REPORT_BACKOFF;
    if (!this.options.ready()) return this.schedule(backoff.initialMs);
    try {
      await this.post(this.options.build());
      selfMetrics.reportsSent.inc();
      this.failures = 0;
      log.info('report sent', { url });
      this.schedule(intervalMs);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      selfMetrics.reportsFailed.inc();
      this.failures += 1;
      const retryInMs = Math.min(intervalMs, backoffDelay(backoff, this.failures));
      log.warn('report failed, retrying', { url, error: (error as Error).message, retryInMs });
      this.schedule(retryInMs);
    }
  }

  private async post(report: Report): Promise<void> {
    const { url, authToken } = this.options;
    const headers: Record<string, string> = authToken === undefined ? {} : { authorization: `Bearer ${authToken}` };
    const answer = await postJson(url, JSON.stringify(report), this.stopping.signal, POST_TIMEOUT_MS, headers);
    if (!answer.ok) throw new Error(`HTTP ${answer.status} ${answer.text.split('\n')[0].slice(0, 200)}`.trim());
  }
}
