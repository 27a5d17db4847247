/**
 * Flags and their environment variables, as one table: it drives parsing, `--help` and the README's flag table.
 * Pure: argv and env in, a Config or a UsageError out.
 */

import { type KindReference, parseKindList } from '../kinds/selection.js';
import { parseKindSelectors, parseLabelSelectors } from '../kube/scope.js';
import { parseGlobs, parseSeriesLimits } from '../metrics/cardinality.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/report.js';
import { LOG_LEVELS, type LogLevel } from '../util/log.js';
import { type FlagSpec, flagHelpText, type ParseResult, parseDuration, parseFlagTable, parsePort } from './flags.js';

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
  readonly watchTimeoutSeconds: number;
  readonly watchIdleTimeoutSeconds: number;
  readonly maxDepth: number;
  readonly maxSeriesPerObject: number;
  readonly maxLabelLength: number;
  readonly unreadyAfterSeconds: number;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly authTokenFile: string | undefined;
  readonly basicAuthFile: string | undefined;
  readonly sendTimeoutSeconds: number;
  readonly maxMetricsResponses: number;
  readonly clusterId: string | undefined;
  readonly reportUrl: string | undefined;
  readonly reportIntervalMs: number;
  readonly reportFormat: ReportFormat;
  readonly reportAccountId: string | undefined;
  readonly reportAccountSecretFile: string | undefined;
  readonly redisUrl: string | undefined;
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

function flagSpec<K extends keyof Config>(spec: FlagSpec<Config, K>): FlagSpec<Config, K> {
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
    description:
      'comma-separated namespaces the LeanIX views are limited to (unset or "": all); exclusions still apply',
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
    flag: 'watch-timeout',
    key: 'watchTimeoutSeconds',
    env: 'KUBE_API_EXPORTER_WATCH_TIMEOUT',
    default: '300',
    valueName: 'SECONDS',
    description: 'timeoutSeconds asked of the API server for each watch; it is then resumed',
    parse: parseSeconds,
  }),
  flagSpec({
    flag: 'watch-idle-timeout',
    key: 'watchIdleTimeoutSeconds',
    env: 'KUBE_API_EXPORTER_WATCH_IDLE_TIMEOUT',
    default: '120',
    valueName: 'SECONDS',
    description:
      'a watch that sends nothing (no event, no bookmark) this long is stalled: it is dropped and resumed; also the time limit per list page',
    parse: parseSeconds,
  }),
  flagSpec({
    flag: 'max-depth',
    key: 'maxDepth',
    env: 'KUBE_API_EXPORTER_MAX_DEPTH',
    default: '32',
    valueName: 'N',
    description: 'fields nested deeper than N keys and list levels are not exported',
    parse: parseCount,
  }),
  flagSpec({
    flag: 'max-series-per-object',
    key: 'maxSeriesPerObject',
    env: 'KUBE_API_EXPORTER_MAX_SERIES_PER_OBJECT',
    default: '10000',
    valueName: 'N',
    description: 'series of one object beyond the first N are dropped',
    parse: parseCount,
  }),
  flagSpec({
    flag: 'max-label-length',
    key: 'maxLabelLength',
    env: 'KUBE_API_EXPORTER_MAX_LABEL_LENGTH',
    default: '512',
    valueName: 'N',
    description:
      'a list whose element names are longer is labelled by index; an object whose name is longer is not exported',
    parse: parseCount,
  }),
  flagSpec({
    flag: 'unready-after',
    key: 'unreadyAfterSeconds',
    env: 'KUBE_API_EXPORTER_UNREADY_AFTER',
    default: '60',
    valueName: 'SECONDS',
    description:
      '/readyz answers 503, naming the kind, once its lists and watches have failed this long with nothing received (0: at once)',
    parse: parseNonNegativeInteger,
  }),
  flagSpec({
    flag: 'tls-cert',
    key: 'tlsCert',
    env: 'KUBE_API_EXPORTER_TLS_CERT',
    default: undefined,
    valueName: 'FILE',
    description: 'serve HTTPS with this PEM certificate (chain); needs --tls-key',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'tls-key',
    key: 'tlsKey',
    env: 'KUBE_API_EXPORTER_TLS_KEY',
    default: undefined,
    valueName: 'FILE',
    description: 'the PEM private key for --tls-cert',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'auth-token-file',
    key: 'authTokenFile',
    env: 'KUBE_API_EXPORTER_AUTH_TOKEN_FILE',
    default: undefined,
    valueName: 'FILE',
    description:
      'every endpoint but /, /healthz and /readyz requires "Authorization: Bearer <token>", the token being this file\'s content',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'basic-auth-file',
    key: 'basicAuthFile',
    env: 'KUBE_API_EXPORTER_BASIC_AUTH_FILE',
    default: undefined,
    valueName: 'FILE',
    description:
      'every endpoint but /, /healthz and /readyz requires HTTP basic auth with the "user:password" in this file',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'send-timeout',
    key: 'sendTimeoutSeconds',
    env: 'KUBE_API_EXPORTER_SEND_TIMEOUT',
    default: '60',
    valueName: 'SECONDS',
    description:
      'a client that takes none of a response (/metrics, /events, any) for this long has its connection closed',
    parse: parseSeconds,
  }),
  flagSpec({
    flag: 'max-metrics-responses',
    key: 'maxMetricsResponses',
    env: 'KUBE_API_EXPORTER_MAX_METRICS_RESPONSES',
    default: '2',
    valueName: 'N',
    description:
      '/metrics responses sent at once, uncompressed and gzip each; beyond, 503 with Retry-After (each holds its render until read)',
    parse: parsePositiveInteger,
  }),
  flagSpec({
    flag: 'cluster-id',
    key: 'clusterId',
    env: 'KUBE_API_EXPORTER_CLUSTER_ID',
    default: undefined,
    valueName: 'ID',
    description: 'cluster ID in /report.json; else the kube-system namespace UID, else a random UUID per start',
    parse: parseNonEmpty,
  }),
  flagSpec({
    flag: 'report-url',
    key: 'reportUrl',
    env: 'KUBE_API_EXPORTER_REPORT_URL',
    default: undefined,
    valueName: 'URL',
    description: 'collector URL to POST the report to (e.g. http://collector:8081/api/v1); unset: no reports sent',
    parse: parseHttpUrl,
  }),
  flagSpec({
    flag: 'report-interval',
    key: 'reportIntervalMs',
    env: 'KUBE_API_EXPORTER_REPORT_INTERVAL',
    default: '24h',
    valueName: 'DURATION',
    description: 'time between reports (e.g. 30m, 24h)',
    parse: parseDuration,
  }),
  flagSpec({
    flag: 'report-format',
    key: 'reportFormat',
    env: 'KUBE_API_EXPORTER_REPORT_FORMAT',
    default: 'spartakus',
    valueName: 'FORMAT',
    description: `report shape, one of ${REPORT_FORMATS.join(', ')}`,
    parse: parseReportFormat,
  }),
  flagSpec({
    flag: 'report-account-id',
    key: 'reportAccountId',
    env: 'KUBE_API_EXPORTER_REPORT_ACCOUNT_ID',
    default: undefined,
    valueName: 'ID',
    description: 'accountID of tectonic reports',
    parse: parseNonEmpty,
  }),
  flagSpec({
    flag: 'report-account-secret-file',
    key: 'reportAccountSecretFile',
    env: 'KUBE_API_EXPORTER_REPORT_ACCOUNT_SECRET_FILE',
    default: undefined,
    valueName: 'FILE',
    description: 'file holding the accountSecret of tectonic reports (or set $KUBE_API_EXPORTER_REPORT_ACCOUNT_SECRET)',
    parse: parseNonEmpty,
  }),
  flagSpec({
    flag: 'redis-url',
    key: 'redisUrl',
    env: 'KUBE_API_EXPORTER_REDIS_URL',
    default: undefined,
    valueName: 'URL',
    description:
      'publish pod events to the channel galileo/events of this Redis, redis://[user:password@]host[:port][/db]; else from $telemd_kubernetes_adapter_redis_host and _port, as telemd-kubernetes-adapter reads them',
    parse: parseRedisUrl,
    fallback: (env) => {
      const host = env.telemd_kubernetes_adapter_redis_host;
      if (!host) return undefined;
      const port = env.telemd_kubernetes_adapter_redis_port || '6379';
      return { text: `redis://${host}:${port}`, source: '$telemd_kubernetes_adapter_redis_host/_port' };
    },
  }),
  flagSpec({
    flag: 'kinds',
    key: 'kinds',
    env: 'KUBE_API_EXPORTER_KINDS',
    default: '',
    valueName: 'LIST',
    description:
      'comma-separated kinds to watch besides deployments, pods, nodes and services: table kinds (daemonset, ...) or group/version/plural',
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
    description:
      'per-kind label selectors applied by the API server: KIND=SELECTOR[;KIND=SELECTOR...], e.g. pod=app=web',
    parse: parseLabelSelectors,
  }),
  flagSpec({
    flag: 'field-selector',
    key: 'fieldSelectors',
    env: 'KUBE_API_EXPORTER_FIELD_SELECTOR',
    default: '',
    valueName: 'SELECTORS',
    description:
      'per-kind field selectors applied by the API server: KIND=SELECTOR[;KIND=SELECTOR...], e.g. pod=status.phase=Running',
    parse: parseKindSelectors,
  }),
  flagSpec({
    flag: 'shard',
    key: 'shard',
    env: 'KUBE_API_EXPORTER_SHARD',
    default: '0',
    valueName: 'N',
    description:
      'this replica\'s shard, 0-based: it keeps the objects whose UID hashes to it (see README "Large clusters")',
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
    description:
      "auto-sharding: this StatefulSet pod's name; the shard is its ordinal, the total its StatefulSet's replicas",
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
    description:
      'comma-separated object metric names to export, * matching any run ("" for all), e.g. k8s_pod_status_*',
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

/** The tectonic accountSecret comes only from here or from the file flag: a flag value would show in `ps`. */

export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult<Config> {
  return parseFlagTable<Config>(FLAGS, argv, env);
}

function parseNameList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

function parseList(text: string): ReadonlySet<string> {
  return new Set(parseNameList(text));
}

function parseNamespaceList(text: string): string[] {
  const names = parseNameList(text);
  const bad = names.find((name) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name));
  if (bad !== undefined) throw new Error(`"${bad}" is not a namespace name`);
  return names;
}

/** The text as a whole number of at least `min`; else fails with `message`. */
function wholeNumber(text: string, min: number, message: string): number {
  const number = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < min) throw new Error(message);
  return number;
}

function parseNonNegativeInteger(text: string): number {
  return wholeNumber(text, 0, 'expected a whole number');
}

export function parsePositiveInteger(text: string): number {
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
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new Error('expected an http:// or https:// URL');
  return url.href;
}

function parseSeconds(text: string): number {
  return wholeNumber(text, 1, 'expected a whole number of seconds, at least 1');
}

function parseCount(text: string): number {
  return wholeNumber(text, 1, 'expected a whole number, at least 1');
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  if (!level) throw new Error(`expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function parseReportFormat(text: string): ReportFormat {
  const format = REPORT_FORMATS.find((candidate) => candidate === text);
  if (!format) throw new Error(`expected one of ${REPORT_FORMATS.join(', ')}`);
  return format;
}

function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('expected redis://host[:port]');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error('expected redis://host[:port] or rediss://');
  if (url.hostname === '') throw new Error('no host');
  return text;
}

/** Every flag at its default (no argv, no environment). */
export function defaultConfig(): Config {
  const parsed = parseConfig([], {});
  if (parsed.action !== 'run') throw new Error('defaults parse to a run');
  return parsed.config;
}

export function helpText(): string {
  return flagHelpText(FLAGS, [
    'Usage: kube-api-exporter [flags]',
    '       kube-api-exporter collector [flags]   (see kube-api-exporter collector --help)',
    '',
    'Exports every numeric field of Kubernetes objects (deployments, pods, nodes and services unless --kinds adds more) as Prometheus gauges.',
  ]);
}
