/**
 * LIST of one collection, page by page, as raw JSON. client-node's typed list calls deserialize into model classes
 * (dates become Date objects, fields the client does not know are dropped), while watch events arrive as plain
 * JSON; listing raw keeps both paths into the cache identical. Auth and TLS come from the kubeconfig exactly as
 * client-node's Watch applies them.
 */

import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { isKubeObject } from '../objects/kube-object.js';
import { trimInPlace } from '../objects/trim.js';
import { ApiError, parseJson, responseError } from './api-error.js';

const PAGE_SIZE = 500;

export interface Selectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** The URL of an API path on the kubeconfig's current cluster, with the query parameters that have a value. */
export function apiUrl(
  kubeConfig: KubeConfig,
  path: string,
  params: Readonly<Record<string, string | number | boolean | undefined>> = {},
): URL {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  return url;
}

export interface ListOptions {
  readonly pageTimeoutMs: number;
  readonly selectors?: Selectors;
  readonly onSkipped?: (item: unknown) => void;
  /** Trims each listed object on arrival; the cache's trim by default (the cache would trim them anyway). */
  readonly trim?: (item: KubernetesObject) => KubernetesObject;
  readonly fromWatchCache?: boolean;
}

/**
 * Lists the collection; each page must arrive within `pageTimeoutMs`. Items that are not objects with an object
 * `metadata` are left out of the list and handed to `onSkipped`: client-node's informer would throw on them.
 * `fromWatchCache` asks for resourceVersion=0, which the API server answers from its watch cache, in one page.
 */
export async function listCollection(
  kubeConfig: KubeConfig,
  path: string,
  { pageTimeoutMs, selectors = {}, onSkipped = () => {}, trim = trimInPlace, fromWatchCache = false }: ListOptions,
): Promise<KubernetesListObject<KubernetesObject>> {
  const items: KubernetesObject[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    const url = apiUrl(kubeConfig, path, {
      limit: PAGE_SIZE,
      ...selectors,
      continue: continueToken,
      ...(fromWatchCache ? { resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' } : {}),
    });
    const page = await getJson<ListPage>(kubeConfig, url, pageTimeoutMs);
    const pageItems = page.items ?? [];
    if (!Array.isArray(pageItems)) throw new ApiError(`GET ${url.pathname}: the list's items are not a list`, 'other');
    for (const item of pageItems) {
      if (!isKubeObject(item)) {
        onSkipped(item);
        continue;
      }
      // Trimmed on arrival (the cache would trim them anyway): a whole collection of untrimmed objects held until the
      // last page arrives would set the heap's high-water mark, and V8 keeps that memory after the sync.
      items.push(trim(item as KubernetesObject));
    }
    // Every page reports the snapshot of the first; the watch continues from it.
    resourceVersion ??= page.metadata?.resourceVersion;
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return { metadata: { resourceVersion }, items };
}

/** A list page as the API server sends it (client-node's V1ListMeta renames `continue`). */
interface ListPage {
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly items?: unknown;
}

/** GET of one API path as JSON within `timeoutMs`; a non-2xx answer throws an ApiError carrying the Status message. */
export async function getJson<T>(kubeConfig: KubeConfig, url: URL, timeoutMs = 60_000): Promise<T> {
  const init = await kubeConfig.applyToFetchOptions({});
  const response = await fetch(url.href, {
    ...init,
    method: 'GET',
    headers: init.headers as never,
    timeout: timeoutMs,
  });
  if (!response.ok) throw await responseError(response, `GET ${url.pathname}`);
  const page = parseJson(await response.text());
  if (!page) throw new ApiError(`GET ${url.pathname}: response is not JSON`, 'other');
  return page as T;
}
