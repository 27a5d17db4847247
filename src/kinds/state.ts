/** How the watch of one kind is doing: written by src/kube/informer.ts, read by /readyz and the self-metrics. */

export interface KindState {
  /** True once the first list has been applied to the cache; stays true while later watches are retried. */
  synced: boolean;
  lastError?: string;
  lastErrorAt?: Date;
  nextRetryAt?: Date;
  failures: number;
  /** When lists and watches started failing with nothing received since; undefined while they work. */
  failingSince?: Date;
  /** When anything last arrived: a watch event or bookmark, or a list. */
  lastEventAt?: Date;
  lastListAt?: Date;
}
