/**
 * A simulated Kubernetes API server speaking the real HTTP protocol: LIST with resourceVersion and limit/continue
 * (resourceVersion=0 answered whole, as kube-apiserver's watch cache ignores the limit), `?watch=true` streams of JSON
 * lines (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR) resumable from a resourceVersion, streaming lists
 * (`sendInitialEvents=true`, see `watchList`), and 410 Gone (an ERROR event with code 410, as kube-apiserver sends
 * it) once history has been compacted.
 * `labelSelector` and `fieldSelector` filter lists and watches on the server (src/kube/selectors.ts); an object moving
 * into or out of a watch's selectors arrives as ADDED or DELETED, as kube-apiserver sends it.
 * It drives the demo and the end-to-end tests through the real client-node informers.
 *
 * Faults can be switched on one at a time (`faults`, `restart()`, `stallWatches()`, `dropWatches()`), each
 * counted in `injected`, for the reliability tests: the failures a real API server or the network in front of it
 * produce.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiVersionOf, collectionPath, KINDS, type KindSpec } from '../kinds/table.js';
import { fieldSelector, labelSelector, type ObjectPredicate, SelectorError } from '../kube/selectors.js';

/**
 * Kinds whose objects carry metadata.generation. kube-apiserver 1.32 sets it on deployments and the other workload
 * controllers' objects, but not on pods (that came with PodObservedGenerationTracking in 1.33), nodes, services,
 * namespaces or claims.
 */
const KINDS_WITH_GENERATION: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
]);

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
  /** A stalled watch stays open and silent: no events, no bookmarks, no close at its timeout. */
  stalled: boolean;
  readonly timers: NodeJS.Timeout[];
}

/** Switchable faults; a count ("next N") is used up as the fault is injected. */
export interface Faults {
  /** The next N LIST or watch requests are answered with this status (429, 500, 503, ...) and `Retry-After`. */
  failRequests?: { count: number; status: number; retryAfterSeconds?: number };
  /** The next N watch requests get `410 Gone` (an ERROR event with code 410), whatever their resourceVersion. */
  expireWatches?: number;
  /** New watches stall: headers sent, then nothing, ever. */
  stallNewWatches?: boolean;
  /** The next N events are cut in half and the watch's connection is destroyed there. */
  dropMidEvent?: number;
  /** The next N events are sent truncated (half a JSON line) on a connection that then goes on. */
  truncateEvents?: number;
  /** The next N events are preceded by a line of garbage that is not JSON. */
  garbageLines?: number;
  /** Every response waits this long before it starts. */
  delayMs?: number;
  /** Every object served carries an annotation of this many bytes (annotations are never exported). */
  inflateBytes?: number;
  /**
   * Items that are no object with an object `metadata` (null, a string, `{metadata: null}`, ...), served raw: at the
   * end of every LIST's first page and of every streaming list's initial events, and as the objects of ADDED events
   * with `malformedEvents`.
   */
  malformedItems?: readonly unknown[];
  /** The next N events are preceded by one ADDED event per `malformedItems` entry, carrying it as its object. */
  malformedEvents?: number;
}

export type FaultName =
  | 'failedRequest'
  | 'expiredWatch'
  | 'stalledWatch'
  | 'droppedMidEvent'
  | 'truncatedEvent'
  | 'garbageLine'
  | 'delayedResponse'
  | 'inflatedObject'
  | 'malformedItems'
  | 'restart';

export interface SimulatedApiServerOptions {
  readonly kinds?: readonly KindSpec[];
  /** When set, requests need `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly bookmarkIntervalMs?: number;
  /** Events kept for watches resuming from a resourceVersion; older ones get 410 Gone. */
  readonly historyLimit?: number;
  /**
   * Streaming lists, a watch with `sendInitialEvents=true`: 'served' (the default) as kube-apiserver 1.32 serves them
   * on an etcd with progress notifications; 'forbidden' as with its WatchList feature gate off (422 Invalid);
   * 'storage-unsupported' as kube-apiserver 1.32 answers on etcd 3.4 (both measured): 200, then an ERROR event
   * with code 500.
   */
  readonly watchList?: 'served' | 'forbidden' | 'storage-unsupported';
}

/** The annotation of the bookmark that ends a streaming list's initial events. */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export class SimulatedApiServer {
  private readonly kinds: readonly KindSpec[];
  private readonly objects = new Map<string, Map<string, ApiObject>>();
  /** Per kind, its objects' keys in the order LISTs page through them (etcd's: by key); dropped on a create or delete. */
  private readonly listOrder = new Map<string, string[]>();
  private history: StoredEvent[] = [];
  /** The oldest resourceVersion a watch may resume from. */
  private oldestResumable = 0;
  private resourceVersion = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly paths = new Set<string>();
  private server: Server | undefined;
  private address: { port: number; host: string } | undefined;
  /**
   * After a restart (resourceVersions reset), the resourceVersions this server has handed out since: a watch may
   * only resume from one of them, any other gets 410 Gone. Undefined before the first restart.
   */
  private issuedSinceRestart: Set<number> | undefined;
  /** Faults to inject; change them at any time. */
  faults: Faults = {};
  /** How many times each fault was injected, per kind (by metricName) in `injectedByKind`. */
  readonly injectedByKind = new Map<string, Partial<Record<FaultName, number>>>();
  readonly injected: Record<FaultName, number> = {
    failedRequest: 0,
    expiredWatch: 0,
    stalledWatch: 0,
    droppedMidEvent: 0,
    truncatedEvent: 0,
    garbageLine: 0,
    delayedResponse: 0,
    inflatedObject: 0,
    malformedItems: 0,
    restart: 0,
  };
  private everStarted = false;
  /** LISTs begun (first pages) per kind: a relist shows here, a resumed watch does not. */
  private readonly listsBegun = new Map<KindSpec, number>();
  /** The query of every LIST page and streaming list requested, in order. */
  readonly listQueries: URLSearchParams[] = [];

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
    this.address = { port: (server.address() as AddressInfo).port, host };
    return `http://${host}:${this.address.port}`;
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

  create(kind: KindSpec, object: object): void {
    const stored = structuredClone(object) as ApiObject;
    const key = keyOf(kind, stored);
    if (this.collection(kind).has(key)) throw new Error(`${kind.kind} ${key} already exists`);
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(KINDS_WITH_GENERATION.has(kind.kind) ? { generation: stored.metadata.generation ?? 1 } : {}),
    };
    this.write(kind, 'ADDED', key, stored);
  }

  /** Applies `mutate` to a copy; a changed `spec` bumps metadata.generation of kinds that have one, as the real server does. */
  // biome-ignore lint/suspicious/noExplicitAny: mutate patches a JSON object free-form, as a test or the demo writes it; its callers rely on that
  update(kind: KindSpec, namespace: string | undefined, name: string, mutate: (object: any) => void): void {
    const key = `${namespace ?? ''}/${name}`;
    const current = this.collection(kind).get(key);
    if (!current) throw new Error(`${kind.kind} ${key} not found`);
    const next = structuredClone(current);
    mutate(next);
    if (KINDS_WITH_GENERATION.has(kind.kind) && JSON.stringify(next.spec) !== JSON.stringify(current.spec)) {
      next.metadata.generation = Number(current.metadata.generation ?? 0) + 1;
    }
    this.write(kind, 'MODIFIED', key, next);
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

  /** Every path requested so far (without the query). */
  requestedPaths(): ReadonlySet<string> {
    return new Set(this.paths);
  }

  /** Open watches that are not stalled, of one kind or of all. */
  openWatches(kind?: KindSpec): number {
    return [...this.watchers].filter((watcher) => kind === undefined || watcher.kind === kind).length;
  }

  /** Ends every open watch from the server side, as the API server does when a watch times out. */
  closeWatches(): void {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
  }

  /** Destroys every open watch's connection without ending the response, as a network failure does. */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.response.destroy();
    this.watchers.clear();
  }

  /** Every open watch stalls: it stays open but never sends anything again. */
  stallWatches(): void {
    for (const watcher of this.watchers) this.stall(watcher);
  }

  /**
   * Restarts the server on the same address: every connection is cut, the listener is down for `downMs` (writes
   * still apply, as they would through another API server), and resourceVersions start again from 1, as after an
   * etcd restore. A watch may then only resume from a resourceVersion handed out after the restart.
   */
  async restart(downMs = 0): Promise<void> {
    const address = this.address;
    if (!address) throw new Error('the server is not running');
    this.injected.restart += 1;
    for (const kind of this.kinds) this.countForKind('restart', kind);
    this.dropWatches();
    await this.stop();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    this.resourceVersion = 0;
    for (const collection of this.objects.values()) {
      for (const object of collection.values()) object.metadata.resourceVersion = String(++this.resourceVersion);
    }
    this.issuedSinceRestart = new Set(); // start() compacts: history from before the restart is gone
    await this.start(address.port, address.host);
  }

  private collection(kind: KindSpec): Map<string, ApiObject> {
    const collection = this.objects.get(kind.metricName);
    if (!collection) throw new Error(`kind ${kind.metricName} is not served`);
    return collection;
  }

  private write(kind: KindSpec, type: EventType, key: string, object: ApiObject): void {
    this.resourceVersion += 1;
    object.metadata.resourceVersion = String(this.resourceVersion);
    const previous = type === 'MODIFIED' ? this.collection(kind).get(key) : undefined;
    if (type === 'DELETED') this.collection(kind).delete(key);
    else this.collection(kind).set(key, object);
    if (type !== 'MODIFIED') this.listOrder.delete(kind.metricName);
    const event: StoredEvent = { resourceVersion: this.resourceVersion, kind, type, object, previous };
    this.history.push(event);
    const limit = this.options.historyLimit ?? 10_000;
    if (this.history.length > limit) {
      const dropped = this.history.splice(0, this.history.length - limit);
      this.oldestResumable = dropped[dropped.length - 1].resourceVersion;
    }
    for (const watcher of this.watchers) {
      if (!watcher.stalled && watcher.kind === kind) this.sendSelected(watcher, event);
    }
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const delayMs = this.faults.delayMs ?? 0;
    if (delayMs <= 0) {
      this.respond(request, response);
      return;
    }
    this.count('delayedResponse', this.route(new URL(request.url ?? '/', 'http://localhost').pathname)?.kind);
    setTimeout(() => this.respond(request, response), delayMs);
  }

  private respond(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    this.paths.add(url.pathname);
    if (this.options.token && request.headers.authorization !== `Bearer ${this.options.token}`) {
      sendStatus(response, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (request.method !== 'GET') {
      sendStatus(response, 405, 'MethodNotAllowed', `${request.method} is not supported`);
      return;
    }
    const discovery = this.discovery(url.pathname);
    if (discovery) {
      sendJson(response, 200, discovery);
      return;
    }
    const route = this.route(url.pathname);
    if (!route) {
      sendStatus(response, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
      return;
    }
    const failure = this.faults.failRequests;
    if (failure && failure.count > 0) {
      failure.count -= 1;
      this.count('failedRequest', route.kind);
      if (failure.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(failure.retryAfterSeconds));
      sendStatus(
        response,
        failure.status,
        failure.status === 429 ? 'TooManyRequests' : 'InternalError',
        `injected fault: HTTP ${failure.status}`,
      );
      return;
    }
    const { kind, namespace, name } = route;
    if (name !== undefined) {
      const object = this.collection(kind).get(`${namespace ?? ''}/${name}`);
      if (!object) {
        sendStatus(response, 404, 'NotFound', `${kind.plural} "${name}" not found`);
        return;
      }
      sendJson(response, 200, { kind: kind.kind, apiVersion: apiVersionOf(kind), ...this.served(object, kind) });
      return;
    }
    let selects: ObjectPredicate;
    try {
      selects = selectorOf(namespace, url.searchParams);
    } catch (error) {
      if (error instanceof SelectorError) {
        sendStatus(response, 400, 'BadRequest', error.message);
        return;
      }
      throw error;
    }
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      if (url.searchParams.get('sendInitialEvents') === 'true') {
        this.listQueries.push(url.searchParams);
        void this.streamingList(kind, selects, url.searchParams, request, response);
      } else this.watch(kind, selects, url.searchParams, request, response);
      return;
    }
    this.listQueries.push(url.searchParams);
    if (!url.searchParams.has('continue')) this.listsBegun.set(kind, this.listsCount(kind) + 1);
    void this.sendList(kind, selects, url.searchParams, response);
  }

  /** The APIResourceList of `/apis/<group>/<version>` (or `/api/v1`) for the kinds served there. */
  private discovery(pathname: string): object | undefined {
    const served = this.kinds.filter((kind) => collectionPath(kind) === `${pathname}/${kind.plural}`);
    if (served.length === 0) return undefined;
    const resources = served.map((kind) => ({
      name: kind.plural,
      singularName: kind.metricName,
      namespaced: kind.namespaced,
      kind: kind.kind,
      verbs: ['get', 'list', 'watch'],
    }));
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(served[0]), resources };
  }

  /** How many LISTs of this kind have begun (continued pages not counted), streaming lists included. */
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
      const namespaced = new RegExp(`^${escapeRegExp(prefix)}/namespaces/([^/]+)/${kind.plural}(?:/([^/]+))?$`).exec(
        pathname,
      );
      if (kind.namespaced && namespaced) return { kind, namespace: namespaced[1], name: namespaced[2] };
    }
    return undefined;
  }

  /** The kind's objects by key, as etcd pages through them and the watch cache sends a streaming list's. */
  private inKeyOrder(kind: KindSpec): ApiObject[] {
    const collection = this.collection(kind);
    let order = this.listOrder.get(kind.metricName);
    if (!order) {
      order = [...collection.keys()].sort();
      this.listOrder.set(kind.metricName, order);
    }
    return order.map((key) => collection.get(key)!);
  }

  /** A LIST written item by item, as a large one can be longer than a string may be. */
  private async sendList(
    kind: KindSpec,
    selects: ObjectPredicate,
    params: URLSearchParams,
    response: ServerResponse,
  ): Promise<void> {
    const items = this.inKeyOrder(kind).filter(selects);
    // resourceVersion=0 is served by the watch cache, which ignores the limit (kube-apiserver 1.32).
    const limit = params.get('resourceVersion') === '0' ? 0 : Number(params.get('limit') ?? 0);
    const offset = Number(params.get('continue') ?? 0);
    const page = limit > 0 ? items.slice(offset, offset + limit) : items;
    const next = limit > 0 && offset + limit < items.length ? String(offset + limit) : undefined;
    const metadata = { resourceVersion: this.issue(this.resourceVersion), ...(next ? { continue: next } : {}) };
    const malformed = offset === 0 ? (this.faults.malformedItems ?? []) : [];
    if (malformed.length > 0) this.count('malformedItems', kind);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const head = { kind: `${kind.kind}List`, apiVersion: apiVersionOf(kind), metadata };
    response.write(`${JSON.stringify(head).slice(0, -1)},"items":[`);
    const served = [...page.map((object) => this.served(object, kind)), ...malformed];
    for (const [index, item] of served.entries()) {
      if (response.destroyed) return;
      if (!response.write(`${index > 0 ? ',' : ''}${JSON.stringify(item)}`)) await drained(response);
    }
    response.end(']}');
  }

  /**
   * A watch with sendInitialEvents=true, as kube-apiserver validates and serves it: every selected object as an ADDED
   * event (written as the client reads them), a BOOKMARK annotated k8s.io/initial-events-end at the resourceVersion
   * they were taken at, then the events since, as any watch.
   */
  private async streamingList(
    kind: KindSpec,
    selects: ObjectPredicate,
    params: URLSearchParams,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const way = this.options.watchList ?? 'served';
    const refusals = [
      way === 'forbidden' &&
        'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
      params.get('resourceVersionMatch') !== 'NotOlderThan' &&
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      params.get('allowWatchBookmarks') !== 'true' &&
        'allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true',
    ].filter((refusal) => typeof refusal === 'string');
    if (refusals.length > 0) {
      sendStatus(response, 422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${refusals.join(', ')}`);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    if (way === 'storage-unsupported') {
      const message =
        'a watch stream was requested by the client but the required storage feature RequestWatchProgress is disabled';
      return void response.end(errorEvent(500, 'InternalError', message));
    }
    this.listsBegun.set(kind, this.listsCount(kind) + 1);
    if (this.takeFault('expireWatches', 'expiredWatch', kind)) {
      return void response.end(goneEvent('injected fault: too old resource version: 0'));
    }
    const watcher = this.openWatcher(kind, selects, request, response);
    if (!watcher) return;
    const takenAt = this.resourceVersion;
    for (const object of this.inKeyOrder(kind).filter(selects)) {
      if (response.destroyed) return;
      this.sendEvent(watcher, 'ADDED', object);
      if (response.writableNeedDrain) await drained(response);
    }
    if (response.destroyed) return;
    const malformed = this.faults.malformedItems ?? [];
    if (malformed.length > 0) this.count('malformedItems', kind);
    for (const item of malformed) response.write(`${JSON.stringify({ type: 'ADDED', object: item })}\n`);
    const end = {
      kind: kind.kind,
      apiVersion: apiVersionOf(kind),
      metadata: { resourceVersion: this.issue(takenAt), annotations: { [INITIAL_EVENTS_END]: 'true' } },
    };
    response.write(`${JSON.stringify({ type: 'BOOKMARK', object: end })}\n`);
    // Written while the client read the initial events, and dropped from the history meanwhile: too old.
    if (takenAt < this.oldestResumable) return void response.end(goneEvent(`too old resource version: ${takenAt}`));
    this.sendSince(watcher, takenAt);
    this.follow(watcher, params);
  }

  private watch(
    kind: KindSpec,
    selects: ObjectPredicate,
    params: URLSearchParams,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    const from = Number(params.get('resourceVersion') || 0);
    if (this.takeFault('expireWatches', 'expiredWatch', kind)) {
      return void response.end(goneEvent(`injected fault: too old resource version: ${from}`));
    }
    const resumable = from >= this.oldestResumable && (this.issuedSinceRestart?.has(from) ?? true);
    if (from > 0 && !resumable) {
      return void response.end(goneEvent(`too old resource version: ${from} (${this.oldestResumable})`));
    }
    const watcher = this.openWatcher(kind, selects, request, response);
    if (!watcher) return;
    if (from > 0) this.sendSince(watcher, from);
    else
      for (const object of this.collection(kind).values())
        if (selects(object)) this.sendEvent(watcher, 'ADDED', object);
    this.follow(watcher, params);
  }

  /** A watcher for the request, or none when new watches stall (then it is left open and silent). */
  private openWatcher(
    kind: KindSpec,
    selects: ObjectPredicate,
    request: IncomingMessage,
    response: ServerResponse,
  ): Watcher | undefined {
    const watcher: Watcher = { kind, selects, response, stalled: false, timers: [] };
    const forget = () => {
      this.watchers.delete(watcher);
      for (const timer of watcher.timers) clearTimeout(timer);
    };
    request.on('close', forget);
    response.on('close', forget);
    if (!this.faults.stallNewWatches) return watcher;
    this.stall(watcher);
    return undefined;
  }

  private sendSince(watcher: Watcher, from: number): void {
    for (const event of this.history)
      if (event.resourceVersion > from && event.kind === watcher.kind) this.sendSelected(watcher, event);
  }

  /** From now on the watcher gets every event, bookmarks if asked, and its end after timeoutSeconds. */
  private follow(watcher: Watcher, params: URLSearchParams): void {
    const { kind, response } = watcher;
    if (response.destroyed) return;
    this.watchers.add(watcher);
    const timeoutSeconds = Number(params.get('timeoutSeconds') || 0);
    if (timeoutSeconds > 0) watcher.timers.push(setTimeout(() => response.end(), timeoutSeconds * 1000));
    if (params.get('allowWatchBookmarks') === 'true') {
      const bookmark = () => {
        if (response.destroyed || response.writableEnded) return; // as in sendEvent
        const object = {
          kind: kind.kind,
          apiVersion: apiVersionOf(kind),
          metadata: { resourceVersion: this.issue(this.resourceVersion) },
        };
        response.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
      };
      watcher.timers.push(setInterval(bookmark, this.options.bookmarkIntervalMs ?? 60_000));
    }
  }

  private stall(watcher: Watcher): void {
    this.count('stalledWatch', watcher.kind);
    watcher.stalled = true;
    for (const timer of watcher.timers) clearTimeout(timer);
    this.watchers.delete(watcher);
  }

  /** An event as a watch with a selector sees it: an object leaving the selection is DELETED, one entering ADDED. */
  private sendSelected(watcher: Watcher, event: StoredEvent): void {
    const selectedNow = watcher.selects(event.object);
    const selectedBefore = event.previous !== undefined && watcher.selects(event.previous);
    let type: string | undefined = selectedNow ? event.type : undefined;
    if (event.type === 'MODIFIED')
      type = selectedNow ? (selectedBefore ? 'MODIFIED' : 'ADDED') : selectedBefore ? 'DELETED' : undefined;
    if (type) this.sendEvent(watcher, type, event.object);
  }

  /** Writes one event to a watch, through the faults that corrupt or cut event lines. */
  private sendEvent(watcher: Watcher, type: string, object: ApiObject): void {
    const { response, kind } = watcher;
    // Ended by its timeoutSeconds but not yet closed (a client slow to read the end): nothing more goes out.
    if (response.destroyed || response.writableEnded) return;
    const resourceVersion = Number(object.metadata.resourceVersion);
    const line = `${JSON.stringify({ type, object: { kind: kind.kind, apiVersion: apiVersionOf(kind), ...this.served(object, kind) } })}\n`;
    this.issue(resourceVersion);
    // Events written in one tick go out together, as the API server frames a burst, not as one chunk each.
    if (response.writableCorked === 0) {
      response.cork();
      process.nextTick(() => response.uncork());
    }
    if (this.takeFault('garbageLines', 'garbageLine', kind))
      response.write('{"type":"MODIFIED","object":{"metadata":\u0000 not json\n');
    if (this.takeFault('malformedEvents', 'malformedItems', kind)) {
      for (const item of this.faults.malformedItems ?? [])
        response.write(`${JSON.stringify({ type: 'ADDED', object: item })}\n`);
    }
    if (this.takeFault('dropMidEvent', 'droppedMidEvent', kind)) {
      response.write(line.slice(0, Math.floor(line.length / 2)));
      this.watchers.delete(watcher);
      // Destroy after the half line is flushed, so the client really sees a cut in the middle of an event.
      setImmediate(() => response.destroy());
      return;
    }
    if (this.takeFault('truncateEvents', 'truncatedEvent', kind)) {
      response.write(`${line.slice(0, Math.floor(line.length / 2))}\n`);
      return;
    }
    response.write(line);
  }

  private takeFault(
    fault: 'garbageLines' | 'dropMidEvent' | 'truncateEvents' | 'expireWatches' | 'malformedEvents',
    name: FaultName,
    kind: KindSpec,
  ): boolean {
    const remaining = this.faults[fault] ?? 0;
    if (remaining <= 0) return false;
    this.faults[fault] = remaining - 1;
    this.count(name, kind);
    return true;
  }

  private count(fault: FaultName, kind: KindSpec | undefined): void {
    this.injected[fault] += 1;
    if (kind) this.countForKind(fault, kind);
  }

  private countForKind(fault: FaultName, kind: KindSpec): void {
    const counts = this.injectedByKind.get(kind.metricName) ?? {};
    counts[fault] = (counts[fault] ?? 0) + 1;
    this.injectedByKind.set(kind.metricName, counts);
  }

  /** The object as served: inflated with a large annotation when that fault is on. */
  private served(object: ApiObject, kind: KindSpec): ApiObject {
    const bytes = this.faults.inflateBytes ?? 0;
    if (bytes <= 0) return object;
    this.count('inflatedObject', kind);
    const annotations = {
      ...(object.metadata.annotations as object | undefined),
      'simulated.example/padding': 'x'.repeat(bytes),
    };
    return { ...object, metadata: { ...object.metadata, annotations } };
  }

  /** Records a resourceVersion as handed out to clients (they may resume from it) and returns it as a string. */
  private issue(resourceVersion: number): string {
    this.issuedSinceRestart?.add(resourceVersion);
    return String(resourceVersion);
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
  return (object) =>
    (namespace === undefined || object.metadata?.namespace === namespace) && labels(object) && fields(object);
}

function goneEvent(message: string): string {
  return errorEvent(410, 'Expired', message);
}

function errorEvent(code: number, reason: string, message: string): string {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return `${JSON.stringify({ type: 'ERROR', object: status })}\n`;
}

/** Resolves once the response can take more, or is gone. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(response, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
