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
    description: 'comma-separated namespaces left out of /leanix.json ("" for none)',
    parse: (text) => new Set(text.split(',').map((name) => name.trim()).filter(Boolean)),
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
    description: 'a watch that sends nothing (no event, no bookmark) this long is stalled: it is dropped and resumed; also the time limit per list page',
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
    description: 'a list whose element names are longer is labelled by index; an object whose name is longer is not exported',
    parse: parseCount,
  }),
  flagSpec({
    flag: 'unready-after',
    key: 'unreadyAfterSeconds',
    env: 'KUBE_API_EXPORTER_UNREADY_AFTER',
    default: '300',
    valueName: 'SECONDS',
    description: '/readyz answers 503, naming the kind, once its lists and watches have failed this long with nothing received',
    parse: parseSeconds,
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
    description: '/metrics and /leanix.json require "Authorization: Bearer <token>", the token being this file\'s content',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'basic-auth-file',
    key: 'basicAuthFile',
    env: 'KUBE_API_EXPORTER_BASIC_AUTH_FILE',
    default: undefined,
    valueName: 'FILE',
    description: '/metrics and /leanix.json require HTTP basic auth with the "user:password" in this file',
    parse: (text) => text,
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

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error('expected a port number from 0 to 65535');
  return port;
}

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 1) throw new Error('expected a whole number of seconds, at least 1');
  return seconds;
}

function parseCount(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || !Number.isSafeInteger(count)) throw new Error('expected a whole number, at least 1');
  return count;
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  if (!level) throw new Error(`expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
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
