/**
 * Seeded random scenarios against the simulated API server: creates, updates and deletes across every kind,
 * interleaved with faults. After the scenario goes quiet, the exporter's /metrics object series and /leanix.json
 * must equal what the API server's current objects render to, rendered by the same pure code from a fresh cache.
 */

import { ClusterCache } from '../../../src/cache.js';
import { type FaultName, SimulatedApiServer } from '../../../src/demo/simulated-apiserver.js';
import { startExporter } from '../../../src/exporter.js';
import { DEFAULT_KINDS, KINDS, type KindSpec } from '../../../src/kinds/table.js';
import { kubeConfigForServer } from '../../../src/kube/kubeconfig.js';
import { renderLeanix } from '../../../src/leanix/v1.js';
import { createLogger, silentLogger } from '../../../src/util/log.js';
import { renderedText } from '../assertions/exposition.js';
import { testConfig } from '../builders/config.js';
import { eventually, FAST_BACKOFF } from './cluster.js';
import { type Random, seededRandom } from './random.js';

export interface ScenarioOptions {
  readonly steps: number;
  /** How long after the last step the exporter may take to converge. */
  readonly convergeWithinMs: number;
  /** Receives the exporter's log lines and a line per step and cache change, to replay a failing seed. */
  readonly trace?: (line: string) => void;
}

export interface ScenarioResult {
  readonly seed: number;
  readonly converged: boolean;
  /** Time from the end of the scenario until the exporter matched the API server. */
  readonly convergedInMs: number;
  readonly operations: number;
  readonly injected: Readonly<Record<FaultName, number>>;
  /** The same per kind that saw them (a restart counts for every kind). */
  readonly injectedByKind: ReadonlyMap<string, Partial<Record<FaultName, number>>>;
  /** When not converged: what still differed. */
  readonly difference?: string;
}

const EXCLUDED_NAMESPACES = new Set(['kube-system']);
const NAMESPACES = ['default', 'team-a', 'kube-system'];
const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

export async function runScenario(seed: number, options: ScenarioOptions): Promise<ScenarioResult> {
  const random = seededRandom(seed);
  const { trace } = options;
  const api = new SimulatedApiServer({ bookmarkIntervalMs: 500 });
  const apiUrl = await api.start();
  const exporter = await startExporter({
    config: testConfig({
      leanix: { excludeNamespaces: EXCLUDED_NAMESPACES },
      watch: { timeoutSeconds: random.int(1, 5), idleTimeoutMs: 1000 },
    }),
    kubeConfig: kubeConfigForServer(apiUrl),
    log: trace ? createLogger('debug', (line) => trace(line.trimEnd())) : silentLogger,
    backoff: FAST_BACKOFF,
  });
  let operations = 0;
  exporter.cache.onChange((change) =>
    trace?.(`${new Date().toISOString()} cache ${change.type} ${describe(change.kind, change.object)}`),
  );
  try {
    for (let step = 0; step < options.steps; step++) {
      if (random.chance(0.25)) await injectFault(api, random, trace);
      else if (mutate(api, random, trace)) operations += 1;
      if (random.chance(0.3)) await pause(random.int(0, 40));
    }
    api.faults = {};
    const quietAt = Date.now();
    let difference: string | undefined;
    const converged = await eventually(
      async () => {
        difference = await compare(api, exporter.url);
        return difference === undefined;
      },
      'convergence',
      options.convergeWithinMs,
    ).then(
      () => true,
      () => false,
    );
    return {
      seed,
      converged,
      convergedInMs: Date.now() - quietAt,
      operations,
      injected: { ...api.injected },
      injectedByKind: new Map(api.injectedByKind),
      difference,
    };
  } finally {
    await exporter.stop();
    await api.stop();
  }
}

/** One random create, update or delete; false when the pick was not possible (nothing to update). */
function mutate(api: SimulatedApiServer, random: Random, trace?: (line: string) => void): boolean {
  const kind = random.pick(DEFAULT_KINDS);
  const namespace = kind.namespaced ? random.pick(NAMESPACES) : undefined;
  const name = random.pick(NAMES);
  const existing = api.get(kind, namespace, name);
  const operation = !existing ? 'create' : random.chance(0.3) ? 'delete' : 'update';
  trace?.(`${new Date().toISOString()} api ${operation} ${kind.metricName} ${namespace ?? ''}/${name}`);
  if (operation === 'create') {
    api.create(kind, randomObject(kind, namespace, name, random));
  } else if (operation === 'delete') {
    api.delete(kind, namespace, name);
  } else {
    api.update(kind, namespace, name, (object) => {
      const fresh = randomObject(kind, namespace, name, random) as { spec?: unknown; status?: unknown };
      if (random.chance(0.5)) object.status = fresh.status;
      else object.spec = fresh.spec;
    });
  }
  return true;
}

type Fault = (api: SimulatedApiServer, random: Random, trace?: (line: string) => void) => void | Promise<void>;

const FAULTS: ReadonlyArray<readonly [string, Fault]> = [
  ['drop watches', (api) => api.dropWatches()],
  ['stall watches', (api) => api.stallWatches()],
  [
    'stall new watches',
    (api) => {
      api.faults.stallNewWatches = true;
      api.dropWatches();
      setTimeout(() => (api.faults.stallNewWatches = false), 300);
    },
  ],
  [
    'fail requests',
    (api, random) => {
      api.faults.failRequests = {
        count: random.int(1, 4),
        status: random.pick([429, 500, 503]),
        retryAfterSeconds: random.pick([undefined, 0, 1]),
      };
      api.dropWatches();
    },
  ],
  [
    'expire watches',
    (api, random) => {
      api.faults.expireWatches = random.int(1, 4);
      api.closeWatches();
    },
  ],
  [
    'compact',
    (api) => {
      api.compact();
      api.closeWatches();
    },
  ],
  [
    'truncate events',
    (api, random) => {
      api.faults.truncateEvents = random.int(1, 3);
    },
  ],
  [
    'garbage lines',
    (api, random) => {
      api.faults.garbageLines = random.int(1, 3);
    },
  ],
  [
    'drop mid-event',
    (api, random) => {
      api.faults.dropMidEvent = random.int(1, 2);
    },
  ],
  [
    'slow responses',
    (api, random) => {
      api.faults.delayMs = random.pick([0, 50, 150]);
    },
  ],
  [
    'large objects',
    (api, random) => {
      api.faults.inflateBytes = random.pick([0, 200_000]);
    },
  ],
  [
    'restart',
    async (api, random, trace) => {
      // Writes while the server is down, as through another API server.
      const restarting = api.restart(random.int(0, 200));
      for (let index = random.int(0, 3); index > 0; index--) mutate(api, random, trace);
      await restarting;
    },
  ],
];

async function injectFault(api: SimulatedApiServer, random: Random, trace?: (line: string) => void): Promise<void> {
  const [name, fault] = random.pick(FAULTS);
  trace?.(`${new Date().toISOString()} fault ${name}`);
  await fault(api, random, trace);
}

function randomObject(kind: KindSpec, namespace: string | undefined, name: string, random: Random): object {
  const metadata = {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { app: name },
    annotations: { 'example.com/token': 'never-exported' },
  };
  const containers = Array.from({ length: random.int(1, 3) }, (_, index) => ({
    name: `c${index}`,
    image: `app:${random.int(1, 9)}`,
    resources: { requests: { cpu: `${random.int(1, 900)}m`, memory: `${random.int(1, 512)}Mi` } },
    env: [{ name: 'PASSWORD', value: 'never-exported' }],
  }));
  const conditions = ['Ready', 'Available']
    .slice(0, random.int(0, 2))
    .map((type) => ({ type, status: random.pick(['True', 'False', 'Unknown']) }));
  switch (kind.metricName) {
    case 'deployment':
      return {
        metadata,
        spec: { replicas: random.int(0, 5), template: { spec: { containers } } },
        status: {
          replicas: random.int(0, 5),
          availableReplicas: random.int(0, 5),
          observedGeneration: random.int(1, 4),
          conditions,
        },
      };
    case 'pod':
      return {
        metadata,
        spec: { containers },
        status: {
          phase: random.pick(['Pending', 'Running', 'Failed']),
          conditions,
          containerStatuses: containers.map((container) => ({
            name: container.name,
            ready: random.chance(0.5),
            restartCount: random.int(0, 9),
            image: container.image,
          })),
        },
      };
    case 'node':
      return {
        metadata,
        status: { capacity: { cpu: String(random.int(1, 64)), memory: `${random.int(1, 256)}Gi` }, conditions },
      };
    default:
      return {
        metadata,
        spec: {
          ports: Array.from({ length: random.int(1, 2) }, (_, index) => ({
            name: `p${index}`,
            port: random.int(1, 65535),
          })),
        },
      };
  }
}

/** undefined when the exporter shows exactly what the API server's objects render to; else the first difference. */
async function compare(api: SimulatedApiServer, exporterUrl: string): Promise<string | undefined> {
  const expected = new ClusterCache();
  for (const kind of DEFAULT_KINDS) for (const object of api.list(kind)) expected.upsert(kind, object);
  const metrics = await (await fetch(`${exporterUrl}/metrics`)).text();
  const difference = lineDifference(objectLines(renderedText(expected.metrics)), objectLines(metrics));
  if (difference) return `/metrics: ${difference}`;
  const leanix = (await (await fetch(`${exporterUrl}/leanix.json`)).json()) as { Namespaces: unknown };
  const expectedLeanix = renderLeanix(
    expected.objects(KINDS.find((kind) => kind.metricName === 'pod')!),
    { include: new Set(), exclude: EXCLUDED_NAMESPACES },
    undefined,
  );
  if (JSON.stringify(leanix.Namespaces) !== JSON.stringify(expectedLeanix.Namespaces)) return '/leanix.json differs';
  return undefined;
}

/** The object series and their HELP/TYPE lines, sorted: the order of objects within a family is not part of the contract. */
function objectLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?k8s_/.test(line))
    .sort();
}

function lineDifference(expected: readonly string[], actual: readonly string[]): string | undefined {
  const actualSet = new Set(actual);
  const expectedSet = new Set(expected);
  const missing = expected.filter((line) => !actualSet.has(line));
  const stale = actual.filter((line) => !expectedSet.has(line));
  if (missing.length === 0 && stale.length === 0 && expected.length === actual.length) return undefined;
  return `${missing.length} missing (${missing.slice(0, 2).join(' | ')}), ${stale.length} stale (${stale.slice(0, 2).join(' | ')})`;
}

function describe(
  kind: KindSpec,
  object: { metadata?: { name?: unknown; namespace?: unknown; resourceVersion?: unknown } },
): string {
  return `${kind.metricName} ${object.metadata?.namespace ?? ''}/${object.metadata?.name} rv=${object.metadata?.resourceVersion}`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
