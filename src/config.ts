/**
 * Flags and their environment variables, as one table: it drives parsing, `--help` and the README's flag table.
 * Pure: argv and env in, a Config or a UsageError out.
 */

import { parseArgs } from 'node:util';
import { parseGlobs, parseSeriesLimits } from './cardinality.js';
import { type KindReference, parseKindList } from './kind-selection.js';
import { parseKindSelectors, parseLabelSelectors } from './scope.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly kubeconfig: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly leanixExcludeNamespaces: ReadonlySet<string>;
  /** Undefined or empty: every namespace. */
  readonly leanixIncludeNamespaces: ReadonlySet<string> | undefined;
  readonly leanixHistoryPerDeployment: number;
  readonly leanixHistoryMax: number;
  readonly leanixConnectorId: string;
  readonly leanixPushUrl: string | undefined;
  readonly leanixPushDebounceMs: number;
  readonly logLevel: LogLevel;
  readonly kinds: readonly KindReference[];
  readonly namespaces: readonly string[];
  readonly namespacesExclude: readonly string[];
  readonly labelSelectors: ReadonlyMap<string, string>;
  readonly fieldSelectors: ReadonlyMap<string, string>;
  readonly shard: number;
  readonly totalShards: number;
  readonly pod: string | undefined;
  readonly podNamespace: string | undefined;
  readonly metricAllowlist: readonly string[];
  readonly metricDenylist: readonly string[];
  readonly kindSeriesLimits: ReadonlyMap<string, number>;
}

export class UsageError extends Error {}

interface FlagSpec<K extends keyof Config> {
  readonly flag: string;
  readonly key: K;
  readonly env: string;
  readonly default: string | undefined;
  readonly valueName: string;
  readonly description: string;
  readonly parse: (text: string) => Config[K];
}

function flagSpec<K extends keyof Config>(spec: FlagSpec<K>): FlagSpec<K> {
  return spec;
}

export const FLAGS = [
  flagSpec({
    flag: 'kubeconfig',
    key: 'kubeconfig',
    env: 'KUBE_API_EXPORTER_KUBECONFIG',
    default: undefined,
    valueName: 'FILE',
    description: 'kubeconfig file; else $KUBECONFIG, else the in-cluster service account, else ~/.kube/config',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'port',
    key: 'port',
    env: 'KUBE_API_EXPORTER_PORT',
    default: '8080',
    valueName: 'N',
    description: 'HTTP port to listen on (0 picks a free one)',
    parse: parsePort,
  }),
  flagSpec({
    flag: 'host',
    key: 'host',
    env: 'KUBE_API_EXPORTER_HOST',
    default: '0.0.0.0',
    valueName: 'ADDR',
    description: 'address to listen on',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'leanix-exclude-namespaces',
    key: 'leanixExcludeNamespaces',
    env: 'KUBE_API_EXPORTER_LEANIX_EXCLUDE_NAMESPACES',
    default: 'kube-system,kube-public',
    valueName: 'LIST',
    description: 'comma-separated namespaces left out of every LeanIX view ("" for none)',
    parse: parseList,
  }),
  flagSpec({
    flag: 'leanix-include-namespaces',
    key: 'leanixIncludeNamespaces',
    env: 'KUBE_API_EXPORTER_LEANIX_INCLUDE_NAMESPACES',
    default: undefined,
    valueName: 'LIST',
    description: 'comma-separated namespaces the LeanIX views are limited to (unset or "": all); exclusions still apply',
    parse: parseList,
  }),
  flagSpec({
    flag: 'leanix-history-per-deployment',
    key: 'leanixHistoryPerDeployment',
    env: 'KUBE_API_EXPORTER_LEANIX_HISTORY_PER_DEPLOYMENT',
    default: '20',
    valueName: 'N',
    description: 'rollouts kept per deployment in the LeanIX deployment history',
    parse: parsePositiveInteger,
  }),
  flagSpec({
    flag: 'leanix-history-max',
    key: 'leanixHistoryMax',
    env: 'KUBE_API_EXPORTER_LEANIX_HISTORY_MAX',
    default: '5000',
    valueName: 'N',
    description: 'rollouts kept in the LeanIX deployment history in all',
    parse: parsePositiveInteger,
  }),
  flagSpec({
    flag: 'leanix-connector-id',
    key: 'leanixConnectorId',
    env: 'KUBE_API_EXPORTER_LEANIX_CONNECTOR_ID',
    default: 'kubernetes',
    valueName: 'ID',
    description: 'connectorId of the LDIF document (name this cluster)',
    parse: parseNonEmpty,
  }),
  flagSpec({
    flag: 'leanix-push-url',
    key: 'leanixPushUrl',
    env: 'KUBE_API_EXPORTER_LEANIX_PUSH_URL',
    default: undefined,
    valueName: 'URL',
    description: 'POST the LDIF document here whenever the inventory changed (none: no push)',
    parse: parseHttpUrl,
  }),
  flagSpec({
    flag: 'leanix-push-debounce-ms',
    key: 'leanixPushDebounceMs',
    env: 'KUBE_API_EXPORTER_LEANIX_PUSH_DEBOUNCE_MS',
    default: '10000',
    valueName: 'MS',
    description: 'after a change, wait this long for more before pushing; at most one push per interval',
    parse: parseNonNegativeInteger,
  }),
  flagSpec({
    flag: 'log-level',
    key: 'logLevel',
    env: 'KUBE_API_EXPORTER_LOG_LEVEL',
    default: 'info',
    valueName: 'LEVEL',
    description: `one of ${LOG_LEVELS.join(', ')}`,
    parse: parseLogLevel,
  }),
  flagSpec({
    flag: 'kinds',
    key: 'kinds',
    env: 'KUBE_API_EXPORTER_KINDS',
    default: '',
    valueName: 'LIST',
    description: 'comma-separated kinds to watch besides deployments, pods, nodes and services: table kinds (daemonset, ...) or group/version/plural',
    parse: parseKindList,
  }),
  flagSpec({
    flag: 'namespaces',
    key: 'namespaces',
    env: 'KUBE_API_EXPORTER_NAMESPACES',
    default: '',
    valueName: 'LIST',
    description: 'comma-separated namespaces to watch ("" for all); cluster-scoped kinds are always watched whole',
    parse: parseNamespaceList,
  }),
  flagSpec({
    flag: 'namespaces-exclude',
    key: 'namespacesExclude',
    env: 'KUBE_API_EXPORTER_NAMESPACES_EXCLUDE',
    default: '',
    valueName: 'LIST',
    description: 'comma-separated namespaces not to watch, filtered by the API server',
    parse: parseNamespaceList,
  }),
  flagSpec({
    flag: 'label-selector',
    key: 'labelSelectors',
    env: 'KUBE_API_EXPORTER_LABEL_SELECTOR',
    default: '',
    valueName: 'SELECTORS',
    description: 'per-kind label selectors applied by the API server: KIND=SELECTOR[;KIND=SELECTOR...], e.g. pod=app=web',
    parse: parseLabelSelectors,
  }),
  flagSpec({
    flag: 'field-selector',
    key: 'fieldSelectors',
    env: 'KUBE_API_EXPORTER_FIELD_SELECTOR',
    default: '',
    valueName: 'SELECTORS',
    description: 'per-kind field selectors applied by the API server: KIND=SELECTOR[;KIND=SELECTOR...], e.g. pod=status.phase=Running',
    parse: parseKindSelectors,
  }),
  flagSpec({
    flag: 'shard',
    key: 'shard',
    env: 'KUBE_API_EXPORTER_SHARD',
    default: '0',
    valueName: 'N',
    description: 'this replica\'s shard, 0-based: it keeps the objects whose UID hashes to it (see README "Large clusters")',
    parse: parseNonNegativeInteger,
  }),
  flagSpec({
    flag: 'total-shards',
    key: 'totalShards',
    env: 'KUBE_API_EXPORTER_TOTAL_SHARDS',
    default: '1',
    valueName: 'N',
    description: 'number of shards (replicas) the objects are split over',
    parse: parsePositiveInteger,
  }),
  flagSpec({
    flag: 'pod',
    key: 'pod',
    env: 'KUBE_API_EXPORTER_POD',
    default: undefined,
    valueName: 'NAME',
    description: 'auto-sharding: this StatefulSet pod\'s name; the shard is its ordinal, the total its StatefulSet\'s replicas',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'pod-namespace',
    key: 'podNamespace',
    env: 'KUBE_API_EXPORTER_POD_NAMESPACE',
    default: undefined,
    valueName: 'NAMESPACE',
    description: 'auto-sharding: the namespace of that pod and its StatefulSet',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'metric-allowlist',
    key: 'metricAllowlist',
    env: 'KUBE_API_EXPORTER_METRIC_ALLOWLIST',
    default: '',
    valueName: 'GLOBS',
    description: 'comma-separated object metric names to export, * matching any run ("" for all), e.g. k8s_pod_status_*',
    parse: parseGlobs,
  }),
  flagSpec({
    flag: 'metric-denylist',
    key: 'metricDenylist',
    env: 'KUBE_API_EXPORTER_METRIC_DENYLIST',
    default: '',
    valueName: 'GLOBS',
    description: 'comma-separated object metric names never to export, * matching any run',
    parse: parseGlobs,
  }),
  flagSpec({
    flag: 'kind-series-limit',
    key: 'kindSeriesLimits',
    env: 'KUBE_API_EXPORTER_KIND_SERIES_LIMIT',
    default: '',
    valueName: 'LIMITS',
    description: 'most series per object, per kind: KIND=N[,KIND=N...], e.g. pod=200; the rest are dropped and counted',
    parse: parseSeriesLimits,
  }),
] as const;

export type ParseResult = { readonly action: 'run'; readonly config: Config } | { readonly action: 'help' | 'version' };

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParseResult {
  const values: Record<string, string | boolean | undefined> = parseFlags(argv).values;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  const config: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const fromFlag = values[spec.flag] as string | undefined;
    const text = fromFlag ?? env[spec.env] ?? spec.default;
    config[spec.key] = text === undefined ? undefined : parseValue(spec, text, fromFlag !== undefined);
  }
  return { action: 'run', config: config as unknown as Config };
}

function parseFlags(argv: readonly string[]) {
  const options = Object.fromEntries(FLAGS.map((spec) => [spec.flag, { type: 'string' as const }]));
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function parseValue<K extends keyof Config>(spec: FlagSpec<K>, text: string, fromFlag: boolean): Config[K] {
  try {
    return spec.parse(text);
  } catch (error) {
    const source = fromFlag ? `--${spec.flag}` : `$${spec.env}`;
    throw new UsageError(`invalid ${source} "${text}": ${(error as Error).message}`);
  }
}

function parseNameList(text: string): string[] {
  return text.split(',').map((name) => name.trim()).filter(Boolean);
}

function parseNamespaceList(text: string): string[] {
  const names = parseNameList(text);
  const bad = names.find((name) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name));
  if (bad !== undefined) throw new Error(`"${bad}" is not a namespace name`);
  return names;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error('expected a port number from 0 to 65535');
  return port;
}

function parseList(text: string): ReadonlySet<string> {
  return new Set(parseNameList(text));
}

function parseNonNegativeInteger(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error('expected a whole number');
  return Number(text);
}

function parsePositiveInteger(text: string): number {
  const number = parseNonNegativeInteger(text);
  if (number === 0) throw new Error('expected a whole number above 0');
  return number;
}

function parseNonEmpty(text: string): string {
  if (text.trim() === '') throw new Error('expected a non-empty value');
  return text.trim();
}

function parseHttpUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new Error('expected an http:// or https:// URL');
  return url.href;
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  if (!level) throw new Error(`expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** Every flag at its default (no argv, no environment). */
export function defaultConfig(): Config {
  const parsed = parseConfig([], {});
  if (parsed.action !== 'run') throw new Error('defaults parse to a run');
  return parsed.config;
}

export function helpText(): string {
  const rows = FLAGS.map((spec) => {
    const flag = `--${spec.flag} ${spec.valueName}`;
    const fallback = spec.default === undefined ? '' : ` (default "${spec.default}")`;
    return `  ${flag.padEnd(40)}${spec.description}${fallback}\n  ${''.padEnd(40)}env ${spec.env}`;
  });
  return [
    'Usage: kube-api-exporter [flags]',
    '',
    'Exports every numeric field of Kubernetes objects (deployments, pods, nodes and services unless --kinds adds more) as Prometheus gauges.',
    '',
    'Flags:',
    ...rows,
    `  ${'--help'.padEnd(40)}show this help`,
    `  ${'--version'.padEnd(40)}print the version`,
    '',
  ].join('\n');
}
