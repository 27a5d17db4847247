/**
 * The exporter's flags and their environment variables, as one table: it drives parsing, `--help` and the README's
 * flag table. Pure: argv and env in, a Config (grouped as the exporter's parts take it) or a UsageError out.
 */

import type { HttpSecurityFiles } from '../http/security.js';
import { type KindReference, parseKindList } from '../kinds/selection.js';
import { DEFAULT_INITIAL_LIST, INITIAL_LISTS, type InitialList } from '../kube/initial-list.js';
import { parseKindSelectors, parseLabelSelectors, type Scope } from '../kube/scope.js';
import type { ShardingFlags } from '../kube/sharding.js';
import type { WatchTimeouts } from '../kube/watch-stream.js';
import { type CardinalityRules, parseGlobs, parseSeriesLimits } from '../metrics/cardinality.js';
import { parseMetadataAllowlist } from '../metrics/declared.js';
import type { FlattenLimits } from '../metrics/flatten.js';
import type { MetricNaming } from '../metrics/ksm-names.js';
import { REPORT_FORMATS } from '../report/report.js';
import type { ReportConfig } from '../report/volunteer.js';
import type { LogLevel } from '../util/log.js';
import { type Fallback, flagHelpText, flagRow, type ParseResult, parseFlagTable } from './flags.js';
import {
  inMilliseconds,
  oneOf,
  parseCount,
  parseDuration,
  parseHttpUrl,
  parseMetricNames,
  parseNameSet,
  parseNamespaceList,
  parseNonEmpty,
  parseNonNegativeInteger,
  parsePositiveInteger,
  parseRedisUrl,
  parseReportFormat,
  parseSeconds,
  parseText,
} from './parsers.js';
import { sharedFlags } from './shared.js';

export interface Config {
  readonly kubeconfig: string | undefined;
  readonly logLevel: LogLevel;
  readonly http: HttpConfig;
  /** What is watched. */
  readonly scope: ScopeConfig;
  readonly sharding: ShardingFlags;
  readonly watch: WatchConfig;
  readonly limits: FlattenLimits;
  /** Whose metric names (src/metrics/ksm-names.ts): ours, or kube-state-metrics' where it has the family. */
  readonly metricNames: MetricNaming;
  readonly cardinality: CardinalityRules;
  /** String fields exported beyond the built-in declarations: a fields file, opt-in labels and annotations. */
  readonly declared: DeclaredFlags;
  readonly leanix: LeanixConfig;
  readonly report: ReportConfig;
  readonly events: EventsConfig;
}

export interface HttpConfig extends HttpSecurityFiles {
  readonly port: number;
  readonly host: string;
  /** See AppOptions.unreadyAfterMs (--unready-after). */
  readonly unreadyAfterMs: number;
  /** See SendLimits.sendTimeoutMs (src/http/listen.ts, --send-timeout). */
  readonly sendTimeoutMs: number;
  /** See AppOptions.maxMetricsResponses (--max-metrics-responses). */
  readonly maxMetricsResponses: number;
}

export interface WatchConfig extends WatchTimeouts {
  /** How each collection is listed (src/kube/initial-list.ts). */
  readonly initialList: InitialList;
}

export interface ScopeConfig extends Scope {
  /** Kinds watched besides the default ones. */
  readonly kinds: readonly KindReference[];
}

export interface LeanixConfig {
  readonly excludeNamespaces: ReadonlySet<string>;
  /** Undefined or empty: every namespace. */
  readonly includeNamespaces: ReadonlySet<string> | undefined;
  readonly historyPerDeployment: number;
  readonly historyMax: number;
  readonly connectorId: string;
  /** Undefined: no push. */
  readonly pushUrl: string | undefined;
  readonly pushDebounceMs: number;
}

export interface DeclaredFlags {
  /** --fields-config: a YAML or JSON file of declarations per kind (src/config/fields-config.ts). */
  readonly fieldsConfig: string | undefined;
  /** Per kind (as the flag names it), the object labels exported as k8s_<kind>_labels. */
  readonly labelsAllowlist: ReadonlyMap<string, readonly string[]>;
  /** Per kind, the annotations exported as k8s_<kind>_annotations; none unless asked. */
  readonly annotationsAllowlist: ReadonlyMap<string, readonly string[]>;
}

export interface EventsConfig {
  /** Undefined: pod events are not published to Redis. */
  readonly redisUrl: string | undefined;
}

/** Undefined unless telemd-kubernetes-adapter's variables name a Redis host, as that adapter reads them. */
const telemdRedisUrl: Fallback = (env) => {
  const host = env.telemd_kubernetes_adapter_redis_host;
  if (!host) return undefined;
  const port = env.telemd_kubernetes_adapter_redis_port || '6379';
  return { text: `redis://${host}:${port}`, source: '$telemd_kubernetes_adapter_redis_host/_port' };
};

const parseInitialList = oneOf(INITIAL_LISTS);

const flag = flagRow<Config>('KUBE_API_EXPORTER_');
const shared = sharedFlags(flag);

/**
 * One row per flag, in --help order: flag(name, Config key, value name, default, parse, description[, fallback]).
 * The key is `field` or `group.field` of Config, checked against what parse gives; the environment variable is
 * KUBE_API_EXPORTER_ and the name in upper snake case; an undefined default leaves the field undefined; units are
 * converted here (`inMilliseconds`). A plain row { flag: 'x-y', key: 'xY', env: 'KUBE_API_EXPORTER_X_Y', default: 'd',
 * valueName: 'N', description: 'text', parse: parseX } becomes flag('x-y', 'group.xY', 'N', 'd', parseX, 'text'),
 * with xY added to that group's interface above (`(text) => text` is parseText; a `fallback` is the 7th argument).
 * `shared` rows are the collector's too (src/config/shared.ts).
 */
// biome-ignore format: one line per flag
export const FLAGS = [
  flag('kubeconfig',                    'kubeconfig',                       'FILE',      undefined,                 parseText,                             'kubeconfig file; else $KUBECONFIG, else the in-cluster service account, else ~/.kube/config'),
  shared.port('http.port', '8080'),
  shared.host('http.host'),
  flag('leanix-exclude-namespaces',     'leanix.excludeNamespaces',         'LIST',      'kube-system,kube-public', parseNameSet,                          'comma-separated namespaces left out of every LeanIX view ("" for none)'),
  flag('leanix-include-namespaces',     'leanix.includeNamespaces',         'LIST',      undefined,                 parseNameSet,                          'comma-separated namespaces the LeanIX views are limited to (unset or "": all); exclusions still apply'),
  flag('leanix-history-per-deployment', 'leanix.historyPerDeployment',      'N',         '20',                      parsePositiveInteger,                  'rollouts kept per deployment in the LeanIX deployment history'),
  flag('leanix-history-max',            'leanix.historyMax',                'N',         '5000',                    parsePositiveInteger,                  'rollouts kept in the LeanIX deployment history in all'),
  flag('leanix-connector-id',           'leanix.connectorId',               'ID',        'kubernetes',              parseNonEmpty,                         'connectorId of the LDIF document (name this cluster)'),
  flag('leanix-push-url',               'leanix.pushUrl',                   'URL',       undefined,                 parseHttpUrl,                          'POST the LDIF document here whenever the inventory changed (none: no push)'),
  flag('leanix-push-debounce-ms',       'leanix.pushDebounceMs',            'MS',        '10000',                   parseNonNegativeInteger,               'after a change, wait this long for more before pushing; at most one push per interval'),
  shared.logLevel('logLevel'),
  flag('watch-timeout',                 'watch.timeoutSeconds',             'SECONDS',   '300',                     parseSeconds,                          'timeoutSeconds asked of the API server for each watch; it is then resumed'),
  flag('watch-idle-timeout',            'watch.idleTimeoutMs',              'SECONDS',   '120',                     inMilliseconds(parseSeconds),          'a watch that sends nothing (no event, no bookmark) this long is stalled: it is dropped and resumed; also the time limit per list page'),
  flag('initial-list',                  'watch.initialList',                'WAY',       DEFAULT_INITIAL_LIST,      parseInitialList,                      'how each collection is listed, at start and on relists: stream (a watch with sendInitialEvents; where the API server refuses it, paged), paged (LIST pages of 500) or watch-cache (LIST resourceVersion=0, one response per collection)'),
  flag('max-depth',                     'limits.maxDepth',                  'N',         '32',                      parseCount,                            'fields nested deeper than N keys and list levels are not exported'),
  flag('max-series-per-object',         'limits.maxSeriesPerObject',        'N',         '10000',                   parseCount,                            'series of one object beyond the first N are dropped'),
  flag('max-label-length',              'limits.maxLabelValueLength',       'N',         '512',                     parseCount,                            'a list whose element names are longer is labelled by index; an object whose name is longer is not exported'),
  flag('unready-after',                 'http.unreadyAfterMs',              'SECONDS',   '60',                      inMilliseconds(parseNonNegativeInteger), '/readyz answers 503, naming the kind, once its lists and watches have failed this long with nothing received (0: at once)'),
  flag('tls-cert',                      'http.tlsCert',                     'FILE',      undefined,                 parseText,                             'serve HTTPS with this PEM certificate (chain); needs --tls-key'),
  flag('tls-key',                       'http.tlsKey',                      'FILE',      undefined,                 parseText,                             'the PEM private key for --tls-cert'),
  flag('auth-token-file',               'http.authTokenFile',               'FILE',      undefined,                 parseText,                             'every endpoint but /, /healthz and /readyz requires "Authorization: Bearer <token>", the token being this file\'s content'),
  flag('basic-auth-file',               'http.basicAuthFile',               'FILE',      undefined,                 parseText,                             'every endpoint but /, /healthz and /readyz requires HTTP basic auth with the "user:password" in this file'),
  flag('send-timeout',                  'http.sendTimeoutMs',               'SECONDS',   '60',                      inMilliseconds(parseSeconds),          'a client that takes none of a response (/metrics, /events, any) for this long has its connection closed'),
  flag('max-metrics-responses',         'http.maxMetricsResponses',         'N',         '2',                       parsePositiveInteger,                  '/metrics responses sent at once, uncompressed and gzip each; beyond, 503 with Retry-After (each holds its render until read)'),
  flag('cluster-id',                    'report.clusterId',                 'ID',        undefined,                 parseNonEmpty,                         'cluster ID in /report.json; else the kube-system namespace UID, else a random UUID per start'),
  flag('report-url',                    'report.url',                       'URL',       undefined,                 parseHttpUrl,                          'collector URL to POST the report to (e.g. http://collector:8081/api/v1); unset: no reports sent'),
  flag('report-interval',               'report.intervalMs',                'DURATION',  '24h',                     parseDuration,                         'time between reports (e.g. 30m, 24h)'),
  flag('report-format',                 'report.format',                    'FORMAT',    'spartakus',               parseReportFormat,                     `report shape, one of ${REPORT_FORMATS.join(', ')}`),
  flag('report-account-id',             'report.accountId',                 'ID',        undefined,                 parseNonEmpty,                         'accountID of tectonic reports'),
  flag('report-account-secret-file',    'report.accountSecretFile',         'FILE',      undefined,                 parseNonEmpty,                         'file holding the accountSecret of tectonic reports (or set $KUBE_API_EXPORTER_REPORT_ACCOUNT_SECRET)'),
  flag('report-auth-token-file',        'report.authTokenFile',             'FILE',      undefined,                 parseNonEmpty,                         "file holding the bearer token the collector asks for (its --report-auth-token-file); unset: none sent"),
  flag('redis-url',                     'events.redisUrl',                  'URL',       undefined,                 parseRedisUrl,                         'publish pod events to the channel galileo/events of this Redis, redis://[user:password@]host[:port][/db]; else from $telemd_kubernetes_adapter_redis_host and _port, as telemd-kubernetes-adapter reads them', telemdRedisUrl),
  flag('kinds',                         'scope.kinds',                      'LIST',      '',                        parseKindList,                         'comma-separated kinds to watch besides deployments, pods, nodes and services: table kinds (daemonset, ...) or group/version/plural'),
  flag('namespaces',                    'scope.namespaces',                 'LIST',      '',                        parseNamespaceList,                    'comma-separated namespaces to watch ("" for all); cluster-scoped kinds are always watched whole'),
  flag('namespaces-exclude',            'scope.namespacesExclude',          'LIST',      '',                        parseNamespaceList,                    'comma-separated namespaces not to watch, filtered by the API server'),
  flag('label-selector',                'scope.labelSelectors',             'SELECTORS', '',                        parseLabelSelectors,                   'per-kind label selectors applied by the API server: KIND=SELECTOR[;KIND=SELECTOR...], e.g. pod=app=web'),
  flag('field-selector',                'scope.fieldSelectors',             'SELECTORS', '',                        parseKindSelectors,                    'per-kind field selectors applied by the API server: KIND=SELECTOR[;KIND=SELECTOR...], e.g. pod=status.phase=Running'),
  flag('shard',                         'sharding.shard',                   'N',         '0',                       parseNonNegativeInteger,               'this replica\'s shard, 0-based: it keeps the objects whose UID hashes to it (see README "Large clusters")'),
  flag('total-shards',                  'sharding.totalShards',             'N',         '1',                       parsePositiveInteger,                  'number of shards (replicas) the objects are split over'),
  flag('pod',                           'sharding.pod',                     'NAME',      undefined,                 parseText,                             "auto-sharding: this StatefulSet pod's name; the shard is its ordinal, the total its StatefulSet's replicas"),
  flag('pod-namespace',                 'sharding.podNamespace',            'NAMESPACE', undefined,                 parseText,                             'auto-sharding: the namespace of that pod and its StatefulSet'),
  flag('metric-names',                  'metricNames',                      'NAMES',     'k8s',                     parseMetricNames,                      'k8s: our names (k8s_<kind>_<path>); ksm: the families kube-state-metrics has under its names, labels and values (kube_pod_status_phase{pod,uid,...}), the rest as k8s_*'),
  flag('metric-allowlist',              'cardinality.allow',                'GLOBS',     '',                        parseGlobs,                            'comma-separated object metric names to export, * matching any run ("" for all), e.g. k8s_pod_status_*'),
  flag('metric-denylist',               'cardinality.deny',                 'GLOBS',     '',                        parseGlobs,                            'comma-separated object metric names never to export, * matching any run'),
  flag('kind-series-limit',             'cardinality.seriesLimits',         'LIMITS',    '',                        parseSeriesLimits,                     'most series per object, per kind: KIND=N[,KIND=N...], e.g. pod=200; the rest are dropped and counted'),
  flag('fields-config',                 'declared.fieldsConfig',            'FILE',      undefined,                 parseNonEmpty,                         'YAML or JSON file declaring string fields (state sets, info labels, zero defaults) per kind, custom resources included; a kind it names replaces the built-in declarations'),
  flag('metric-labels-allowlist',       'declared.labelsAllowlist',         'LIST',      '',                        parseMetadataAllowlist,                "object labels exported as k8s_<kind>_labels{label_<key>=...}, kube-state-metrics' syntax: KIND=[key,...][,...], e.g. pods=[app,team],nodes=[*]"),
  flag('metric-annotations-allowlist',  'declared.annotationsAllowlist',    'LIST',      '',                        parseMetadataAllowlist,                'object annotations exported as k8s_<kind>_annotations{annotation_<key>=...}, the same syntax; none unless asked'),
];

export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult<Config> {
  return parseFlagTable<Config>(FLAGS, argv, env);
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
