/**
 * The informer's list, first and on every relist, in one of three ways (their cost at scale M and L: README "Sizing"):
 *
 * - `stream`: a watch with `sendInitialEvents=true` (Kubernetes' WatchList, KEP-3157). The API server sends the
 *   collection from its watch cache as ADDED events, one JSON line each, then a BOOKMARK annotated
 *   `k8s.io/initial-events-end`; the watch proper resumes from that bookmark's resourceVersion. Neither side holds
 *   more than one object's JSON at a time. Where the server refuses it (WatchList feature gate off: 422 Invalid;
 *   kube-apiserver 1.32 on etcd 3.4 before it has found progress notifications: an ERROR event with code 500), this list
 *   falls back to `paged`, and so do the informer's later relists. Other failures (429, 503, a broken stream) are
 *   the list's: retried after backoff, streaming.
 * - `paged`: LIST pages of 500: consistent reads, served by etcd unless the watch cache can serve them
 *   (ConsistentListFromCache, which needs the same progress notifications).
 * - `watch-cache`: LIST with `resourceVersion=0`: the watch cache answers, sparing etcd, but ignores the limit and
 *   sends the whole collection in one response, which the client reads whole (Node cannot hold a response of
 *   more than 512 MiB as one string: about 90,000 of the bench's pods).
 */

import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../util/log.js';
import { ApiError } from './api-error.js';
import { listCollection, type Selectors } from './list.js';
import type { StreamWatch } from './watch-stream.js';

export const INITIAL_LISTS = ['stream', 'paged', 'watch-cache'] as const;
export type InitialList = (typeof INITIAL_LISTS)[number];
export const DEFAULT_INITIAL_LIST: InitialList = 'stream';

/** The annotation of the bookmark that ends a streaming list's initial events. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

type Listed = KubernetesListObject<KubernetesObject>;

export interface CollectionListerOptions {
  readonly kubeConfig: KubeConfig;
  /** The informer's watch stream: a streaming list is one of its watches (stopped with it). */
  readonly stream: StreamWatch;
  readonly path: string;
  readonly selectors: Selectors;
  readonly way: InitialList;
  readonly pageTimeoutMs: number;
  readonly onSkipped: (item: unknown) => void;
  readonly trim?: (object: KubernetesObject) => KubernetesObject;
  readonly log: Logger;
  /** What the logs call the collection. */
  readonly name: string;
}

export class CollectionLister {
  private streamRefused = false;

  constructor(private readonly options: CollectionListerOptions) {}

  async list(): Promise<Listed> {
    const { kubeConfig, path, selectors, way, pageTimeoutMs, onSkipped, trim, log, name } = this.options;
    if (way === 'stream' && !this.streamRefused) {
      try {
        return await streamList(this.options.stream, path, selectors, trim);
      } catch (error) {
        // Any other failure is the list's, retried after backoff (a 429's Retry-After honoured), streaming again.
        if (!isRefusal(error)) throw error;
        this.streamRefused = true;
        log.info('the API server refused a streaming list: listing in pages', {
          kind: name,
          path,
          error: error.message,
        });
      }
    }
    return listCollection(kubeConfig, path, {
      pageTimeoutMs,
      selectors,
      onSkipped,
      trim,
      fromWatchCache: way === 'watch-cache',
    });
  }
}

/** An answer that says the server does not do streaming lists, rather than that it is busy or the stream broke. */
function isRefusal(error: unknown): error is ApiError {
  const status = error instanceof ApiError ? error.statusCode : undefined;
  return status !== undefined && ![410, 429, 503, 504].includes(status);
}

/**
 * The collection as a streaming list sends it: ADDED events (each trimmed on arrival) up to the bookmark that ends
 * the initial events, whose resourceVersion the watch resumes from. The request is ended there.
 */
export function streamList(
  stream: StreamWatch,
  path: string,
  selectors: Selectors,
  trim: (object: KubernetesObject) => KubernetesObject = (object) => object,
): Promise<Listed> {
  return new Promise((resolve, reject) => {
    // Keyed, should the server ever send a change before the end: the list is then the state at the bookmark.
    const objects = new Map<string, KubernetesObject>();
    let settled = false;
    let request: AbortController | undefined;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      request?.abort();
      outcome();
    };
    const onEvent = (type: string, item: unknown) => {
      if (settled) return;
      const object = item as KubernetesObject;
      const { name, namespace, annotations, resourceVersion } = object.metadata ?? {};
      if (type === 'BOOKMARK') {
        if (annotations?.[INITIAL_EVENTS_END] === 'true')
          settle(() => resolve({ metadata: { resourceVersion }, items: [...objects.values()] }));
        return;
      }
      const key = `${namespace ?? ''}/${name ?? ''}`;
      if (type === 'DELETED') objects.delete(key);
      else objects.set(key, trim(object));
    };
    const onEnd = (error: unknown) =>
      settle(() =>
        reject(error ?? new ApiError(`watch ${path}: the streaming list ended before its initial events did`, 'other')),
      );
    const params = { ...selectors, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' };
    void stream.watch(path, params, onEvent, onEnd).then((controller) => {
      request = controller;
      if (settled) controller.abort();
    });
  });
}
