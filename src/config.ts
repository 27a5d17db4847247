/**
 * Flags and their environment variables, as one table: it drives parsing, `--help` and the README's flag table.
 * Pure: argv and env in, a Config or a UsageError out.
 */

import { parseArgs } from 'node:util';

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
  readonly redisUrl: string | undefined;
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
  /** The value when neither the flag nor its variable is set, from other variables (drop-in compatibility). */
  readonly fallback?: (env: Environment) => { readonly text: string; readonly source: string } | undefined;
}

type Environment = Readonly<Record<string, string | undefined>>;

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
] as const;

export type ParseResult = { readonly action: 'run'; readonly config: Config } | { readonly action: 'help' | 'version' };

export function parseConfig(argv: readonly string[], env: Environment): ParseResult {
  const values: Record<string, string | boolean | undefined> = parseFlags(argv).values;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  const config: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const fromFlag = values[spec.flag] as string | undefined;
    const fromEnv = env[spec.env];
    const given =
      fromFlag !== undefined ? { text: fromFlag, source: `--${spec.flag}` }
      : fromEnv !== undefined ? { text: fromEnv, source: `$${spec.env}` }
      : (spec as FlagSpec<keyof Config>).fallback?.(env);
    const text = given?.text ?? spec.default;
    config[spec.key] = text === undefined ? undefined : parseValue(spec, text, given?.source ?? 'default');
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

function parseValue<K extends keyof Config>(spec: FlagSpec<K>, text: string, source: string): Config[K] {
  try {
    return spec.parse(text);
  } catch (error) {
    throw new UsageError(`invalid ${source} "${text}": ${(error as Error).message}`);
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error('expected a port number from 0 to 65535');
  return port;
}

function parseList(text: string): ReadonlySet<string> {
  return new Set(text.split(',').map((name) => name.trim()).filter(Boolean));
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

function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('expected redis://host[:port]');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('expected redis://host[:port] or rediss://');
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
  const rows = FLAGS.map((spec) => {
    const flag = `--${spec.flag} ${spec.valueName}`;
    const fallback = spec.default === undefined ? '' : ` (default "${spec.default}")`;
    return `  ${flag.padEnd(40)}${spec.description}${fallback}\n  ${''.padEnd(40)}env ${spec.env}`;
  });
  return [
    'Usage: kube-api-exporter [flags]',
    '',
    'Exports every numeric field of Kubernetes deployments, pods, nodes and services as Prometheus gauges.',
    '',
    'Flags:',
    ...rows,
    `  ${'--help'.padEnd(40)}show this help`,
    `  ${'--version'.padEnd(40)}print the version`,
    '',
  ].join('\n');
}
