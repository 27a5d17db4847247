/**
 * A simulated Kubernetes API server speaking the real HTTP protocol: LIST with resourceVersion and limit/continue,
 * `?watch=true` streams of JSON lines (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR) resumable from a resourceVersion,
 * and 410 Gone (an ERROR event with code 410, as kube-apiserver sends it) once history has been compacted.
 * `labelSelector` and `fieldSelector` filter lists and watches on the server (src/selectors.ts); an object moving
 * into or out of a watch's selectors arrives as ADDED or DELETED, as kube-apiserver sends it.
 * It drives the demo and the end-to-end tests through the real client-node informers.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiVersionOf, collectionPath, KINDS, type KindSpec } from './kinds.js';
import { fieldSelector, labelSelector, type ObjectPredicate, SelectorError } from './selectors.js';

/**
 * Kinds whose objects carry metadata.generation. kube-apiserver 1.32 sets it on deployments and the other workload
 * controllers' objects, but not on pods (that came with PodObservedGenerationTracking in 1.33), nodes, services,
 * namespaces or claims.
 */
const KINDS_WITH_GENERATION: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);

type ApiObject = { metadata: Record<string, unknown>; spec?: unknown; [field: string]: unknown };
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  readonly resourceVersion: number;
  readonly kind: KindSpec;
  readonly type: EventType;
  readonly object: ApiObject;
  /** The state before a MODIFIED write. */
  readonly previous?: ApiObject;
}

interface Watcher {
  readonly kind: KindSpec;
  /** The path's namespace and the request's selectors. */
  readonly selects: ObjectPredicate;
  readonly response: ServerResponse;
}

export interface SimulatedApiServerOptions {
  readonly kinds?: readonly KindSpec[];
  /** When set, requests need `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly bookmarkIntervalMs?: number;
  /** Events kept for watches resuming from a resourceVersion; older ones get 410 Gone. */
  readonly historyLimit?: number;
}

export class SimulatedApiServer {
  private readonly kinds: readonly KindSpec[];
  private readonly objects = new Map<string, Map<string, ApiObject>>();
  private history: StoredEvent[] = [];
  /** The oldest resourceVersion a watch may resume from. */
  private oldestResumable = 0;
  private resourceVersion = 0;
  private readonly watchers = new Set<Watcher>();
  private server: Server | undefined;
  private everStarted = false;
  /** LISTs begun (first pages) per kind: a relist shows here, a resumed watch does not. */
  private readonly listsBegun = new Map<KindSpec, number>();

  constructor(private readonly options: SimulatedApiServerOptions = {}) {
    this.kinds = options.kinds ?? KINDS;
    for (const kind of this.kinds) this.objects.set(kind.metricName, new Map());
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    // Started again, this is an API server restarted on the same etcd: its watch cache begins at the current
    // resourceVersion, so a watch resuming from before that gets 410 Gone (as kube-apiserver 1.32 answers).
    if (this.everStarted) this.compact();
    this.everStarted = true;
    const server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.closeWatches();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  create(kind: KindSpec, object: object): ApiObject {
    const stored = structuredClone(object) as ApiObject;
    const key = keyOf(kind, stored);
    if (this.collection(kind).has(key)) throw new Error(`${kind.kind} ${key} already exists`);
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(KINDS_WITH_GENERATION.has(kind.kind) ? { generation: stored.metadata.generation ?? 1 } : {}),
    };
    return this.write(kind, 'ADDED', key, stored);
  }

  /** Applies `mutate` to a copy; a changed `spec` bumps metadata.generation of kinds that have one, as the real server does. */
  update(kind: KindSpec, namespace: string | undefined, name: string, mutate: (object: any) => void): ApiObject {
    const key = `${namespace ?? ''}/${name}`;
    const current = this.collection(kind).get(key);
    if (!current) throw new Error(`${kind.kind} ${key} not found`);
    const next = structuredClone(current);
    mutate(next);
    if (KINDS_WITH_GENERATION.has(kind.kind) && JSON.stringify(next.spec) !== JSON.stringify(current.spec)) {
      next.metadata.generation = Number(current.metadata.generation ?? 0) + 1;
    }
    return this.write(kind, 'MODIFIED', key, next);
  }

  delete(kind: KindSpec, namespace: string | undefined, name: string): void {
    const key = `${namespace ?? ''}/${name}`;
    const current = this.collection(kind).get(key);
    if (!current) throw new Error(`${kind.kind} ${key} not found`);
    this.write(kind, 'DELETED', key, structuredClone(current));
  }

  get(kind: KindSpec, namespace: string | undefined, name: string): ApiObject | undefined {
    const object = this.collection(kind).get(`${namespace ?? ''}/${name}`);
    return object && structuredClone(object);
  }

  list(kind: KindSpec): ApiObject[] {
    return [...this.collection(kind).values()].map((object) => structuredClone(object));
  }

  /** Forgets the event history, as etcd compaction does: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.history = [];
    this.oldestResumable = this.resourceVersion;
  }

  /** Ends every open watch from the server side, as the API server does when a watch times out. */
  closeWatches(): void {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
  }

  private collection(kind: KindSpec): Map<string, ApiObject> {
    const collection = this.objects.get(kind.metricName);
    if (!collection) throw new Error(`kind ${kind.metricName} is not served`);
    return collection;
  }

  private write(kind: KindSpec, type: EventType, key: string, object: ApiObject): ApiObject {
    this.resourceVersion += 1;
    object.metadata.resourceVersion = String(this.resourceVersion);
    const previous = type === 'MODIFIED' ? this.collection(kind).get(key) : undefined;
    if (type === 'DELETED') this.collection(kind).delete(key);
    else this.collection(kind).set(key, object);
    const event: StoredEvent = { resourceVersion: this.resourceVersion, kind, type, object, previous };
    this.history.push(event);
    const limit = this.options.historyLimit ?? 10_000;
    if (this.history.length > limit) {
      const dropped = this.history.splice(0, this.history.length - limit);
      this.oldestResumable = dropped[dropped.length - 1].resourceVersion;
    }
    for (const watcher of this.watchers) {
      if (watcher.kind === kind) sendSelected(watcher, event);
    }
    return structuredClone(object);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (this.options.token && request.headers.authorization !== `Bearer ${this.options.token}`) {
      return sendStatus(response, 401, 'Unauthorized', 'Unauthorized');
    }
    if (request.method !== 'GET') return sendStatus(response, 405, 'MethodNotAllowed', `${request.method} is not supported`);
    const discovery = this.discovery(url.pathname);
    if (discovery) return sendJson(response, 200, discovery);
    const route = this.route(url.pathname);
    if (!route) return sendStatus(response, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const { kind, namespace, name } = route;
    if (name !== undefined) {
      const object = this.collection(kind).get(`${namespace ?? ''}/${name}`);
      if (!object) return sendStatus(response, 404, 'NotFound', `${kind.plural} "${name}" not found`);
      return sendJson(response, 200, { kind: kind.kind, apiVersion: apiVersionOf(kind), ...object });
    }
    let selects: ObjectPredicate;
    try {
      selects = selectorOf(namespace, url.searchParams);
    } catch (error) {
      if (error instanceof SelectorError) return sendStatus(response, 400, 'BadRequest', error.message);
      throw error;
    }
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') return this.watch(kind, selects, url.searchParams, request, response);
    if (!url.searchParams.has('continue')) this.listsBegun.set(kind, this.listsCount(kind) + 1);
    this.sendList(kind, selects, url.searchParams, response);
  }

  /** The APIResourceList of `/apis/<group>/<version>` (or `/api/v1`) for the kinds served there. */
  private discovery(pathname: string): object | undefined {
    const served = this.kinds.filter((kind) => collectionPath(kind) === `${pathname}/${kind.plural}`);
    if (served.length === 0) return undefined;
    const resources = served.map((kind) => ({ name: kind.plural, singularName: kind.metricName, namespaced: kind.namespaced, kind: kind.kind, verbs: ['get', 'list', 'watch'] }));
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(served[0]), resources };
  }

  /** How many LISTs of this kind have begun (continued pages not counted). */
  listsCount(kind: KindSpec): number {
    return this.listsBegun.get(kind) ?? 0;
  }

  private route(pathname: string): { kind: KindSpec; namespace?: string; name?: string } | undefined {
    for (const kind of this.kinds) {
      const base = collectionPath(kind);
      const prefix = base.slice(0, -kind.plural.length - 1);
      if (pathname === base) return { kind };
      if (pathname.startsWith(`${base}/`) && !kind.namespaced) {
        const name = pathname.slice(base.length + 1);
        if (!name.includes('/')) return { kind, name };
      }
      const namespaced = new RegExp(`^${escapeRegExp(prefix)}/namespaces/([^/]+)/${kind.plural}(?:/([^/]+))?$`).exec(pathname);
      if (kind.namespaced && namespaced) return { kind, namespace: namespaced[1], name: namespaced[2] };
    }
    return undefined;
  }

  private sendList(kind: KindSpec, selects: ObjectPredicate, params: URLSearchParams, response: ServerResponse): void {
    const items = [...this.collection(kind).values()]
      .filter(selects)
      .sort((a, b) => keyOf(kind, a).localeCompare(keyOf(kind, b)));
    const limit = Number(params.get('limit') ?? 0);
    const offset = Number(params.get('continue') ?? 0);
    const page = limit > 0 ? items.slice(offset, offset + limit) : items;
    const next = limit > 0 && offset + limit < items.length ? String(offset + limit) : undefined;
    const metadata = { resourceVersion: String(this.resourceVersion), ...(next ? { continue: next } : {}) };
    sendJson(response, 200, { kind: `${kind.kind}List`, apiVersion: apiVersionOf(kind), metadata, items: page });
  }

  private watch(kind: KindSpec, selects: ObjectPredicate, params: URLSearchParams, request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    const from = Number(params.get('resourceVersion') || 0);
    if (from > 0 && from < this.oldestResumable) {
      response.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.oldestResumable})`, reason: 'Expired', code: 410 },
        })}\n`,
      );
      return;
    }
    const watcher: Watcher = { kind, selects, response };
    if (from > 0) {
      for (const event of this.history) {
        if (event.resourceVersion > from && event.kind === kind) sendSelected(watcher, event);
      }
    } else {
      for (const object of this.collection(kind).values()) if (selects(object)) sendEvent(response, kind, 'ADDED', object);
    }
    this.watchers.add(watcher);
    const timers: NodeJS.Timeout[] = [];
    const timeoutSeconds = Number(params.get('timeoutSeconds') || 0);
    if (timeoutSeconds > 0) timers.push(setTimeout(() => response.end(), timeoutSeconds * 1000));
    if (params.get('allowWatchBookmarks') === 'true') {
      const bookmark = () => {
        const object = { kind: kind.kind, apiVersion: apiVersionOf(kind), metadata: { resourceVersion: String(this.resourceVersion) } };
        response.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
      };
      timers.push(setInterval(bookmark, this.options.bookmarkIntervalMs ?? 60_000));
    }
    const forget = () => {
      this.watchers.delete(watcher);
      for (const timer of timers) clearTimeout(timer);
    };
    request.on('close', forget);
    response.on('close', forget);
  }
}

function keyOf(kind: KindSpec, object: ApiObject): string {
  const namespace = kind.namespaced ? String(object.metadata.namespace ?? '') : '';
  return `${namespace}/${String(object.metadata.name ?? '')}`;
}

/** The path's namespace plus `labelSelector` and `fieldSelector`, as one predicate; throws SelectorError. */
function selectorOf(namespace: string | undefined, params: URLSearchParams): ObjectPredicate {
  const labels = labelSelector(params.get('labelSelector') ?? '');
  const fields = fieldSelector(params.get('fieldSelector') ?? '');
  return (object) => (namespace === undefined || object.metadata?.namespace === namespace) && labels(object) && fields(object);
}

/** The event as the watcher sees it through its selectors: an object entering them is ADDED, one leaving DELETED. */
function sendSelected(watcher: Watcher, event: StoredEvent): void {
  const selectedNow = watcher.selects(event.object);
  const selectedBefore = event.previous !== undefined && watcher.selects(event.previous);
  let type: string | undefined = selectedNow ? event.type : undefined;
  if (event.type === 'MODIFIED') type = selectedNow ? (selectedBefore ? 'MODIFIED' : 'ADDED') : selectedBefore ? 'DELETED' : undefined;
  if (type) sendEvent(watcher.response, event.kind, type, event.object);
}

function sendEvent(response: ServerResponse, kind: KindSpec, type: string, object: ApiObject): void {
  response.write(`${JSON.stringify({ type, object: { kind: kind.kind, apiVersion: apiVersionOf(kind), ...object } })}\n`);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(response, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
