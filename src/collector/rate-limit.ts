/**
 * Reports per client address: a token bucket per client, `perMinute` tokens that refill evenly over a minute (so
 * bursts of `perMinute`, then one every 60/perMinute s). Memory is bounded: beyond `maxClients` buckets, the
 * longest unused one is forgotten (it would have refilled by then, or its client is the rarest). Pure: the caller
 * passes the time.
 */

const MINUTE_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly maxClients = 100_000,
  ) {}

  /** Takes a token for `client`: 0 when allowed, else the milliseconds until one is available. */
  take(client: string, nowMs: number): number {
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at: nowMs };
    // Re-inserted on every use: the Map's first key is the longest unused.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((nowMs - bucket.at) * this.perMinute) / MINUTE_MS);
    bucket.at = nowMs;
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * MINUTE_MS) / this.perMinute);
  }

  /** Clients tracked (for the tests of the bound). */
  get size(): number {
    return this.buckets.size;
  }
}
