/** The collector command's flags, as one table like the exporter's (src/config.ts): parsing, --help, README. */

import type { LogLevel } from '../util/log.js';
import { FLAGS, parsePositiveInteger } from './exporter.js';
import { type FlagSpec, flagHelpText, type ParseResult, parseBoolean, parseFlagTable, urlParser } from './flags.js';

export interface CollectorConfig {
  readonly port: number;
  readonly host: string;
  readonly dbUrl: string | undefined;
  readonly dbDir: string;
  readonly trustProxy: boolean;
  readonly maxBodyBytes: number;
  readonly reportAuthTokenFile: string | undefined;
  readonly summaryAuthTokenFile: string | undefined;
  readonly reportsPerClientMinute: number;
  readonly reportsPerClusterDay: number;
  readonly logLevel: LogLevel;
}

function flagSpec<K extends keyof CollectorConfig>(spec: FlagSpec<CollectorConfig, K>): FlagSpec<CollectorConfig, K> {
  return spec;
}

/** A row of the exporter's table (src/config.ts) under the collector's environment variable and default. */
function exporterFlag<K extends 'port' | 'host' | 'logLevel'>(
  key: K,
  env: string,
  fallback?: string,
): FlagSpec<CollectorConfig, K> {
  const spec = FLAGS.find((row) => row.key === key) as unknown as FlagSpec<CollectorConfig, K>;
  return { ...spec, env, default: fallback ?? spec.default };
}

export const COLLECTOR_FLAGS = [
  exporterFlag('port', 'KUBE_API_EXPORTER_COLLECTOR_PORT', '8081'),
  exporterFlag('host', 'KUBE_API_EXPORTER_COLLECTOR_HOST'),
  flagSpec({
    flag: 'db-url',
    key: 'dbUrl',
    env: 'KUBE_API_EXPORTER_COLLECTOR_DB_URL',
    default: undefined,
    valueName: 'URL',
    description: 'PostgreSQL connection URL (postgres://user:pass@host:5432/db); unset: an embedded server in --db-dir',
    parse: urlParser(['postgres:', 'postgresql:']),
  }),
  flagSpec({
    flag: 'db-dir',
    key: 'dbDir',
    env: 'KUBE_API_EXPORTER_COLLECTOR_DB_DIR',
    default: 'collector-db',
    valueName: 'DIR',
    description: 'data directory of the embedded PostgreSQL server (without --db-url); created on first start',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'trust-proxy',
    key: 'trustProxy',
    env: 'KUBE_API_EXPORTER_COLLECTOR_TRUST_PROXY',
    default: 'false',
    valueName: '',
    description: 'take received_from from X-Forwarded-For / X-Real-IP (only behind a proxy that sets them)',
    parse: parseBoolean,
  }),
  flagSpec({
    flag: 'max-body-bytes',
    key: 'maxBodyBytes',
    env: 'KUBE_API_EXPORTER_COLLECTOR_MAX_BODY_BYTES',
    default: '1048576',
    valueName: 'N',
    description: 'largest report accepted; larger ones get 413',
    parse: parsePositiveInteger,
  }),
  flagSpec({
    flag: 'report-auth-token-file',
    key: 'reportAuthTokenFile',
    env: 'KUBE_API_EXPORTER_COLLECTOR_REPORT_AUTH_TOKEN_FILE',
    default: undefined,
    valueName: 'FILE',
    description: 'file holding a bearer token that POSTed reports must carry; unset: anyone may report',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'summary-auth-token-file',
    key: 'summaryAuthTokenFile',
    env: 'KUBE_API_EXPORTER_COLLECTOR_SUMMARY_AUTH_TOKEN_FILE',
    default: undefined,
    valueName: 'FILE',
    description: 'file holding a bearer token that GET /api/v1/summary must carry; unset: anyone may read it',
    parse: (text) => text,
  }),
  flagSpec({
    flag: 'reports-per-client-minute',
    key: 'reportsPerClientMinute',
    env: 'KUBE_API_EXPORTER_COLLECTOR_REPORTS_PER_CLIENT_MINUTE',
    default: '10',
    valueName: 'N',
    description: 'reports accepted per client address and minute (bursts of N); more get 429',
    parse: parsePositiveInteger,
  }),
  flagSpec({
    flag: 'reports-per-cluster-day',
    key: 'reportsPerClusterDay',
    env: 'KUBE_API_EXPORTER_COLLECTOR_REPORTS_PER_CLUSTER_DAY',
    default: '100',
    valueName: 'N',
    description: 'reports stored per cluster ID in any 24 hours; more get 429',
    parse: parsePositiveInteger,
  }),
  exporterFlag('logLevel', 'KUBE_API_EXPORTER_COLLECTOR_LOG_LEVEL'),
] as const;

export function parseCollectorConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult<CollectorConfig> {
  return parseFlagTable<CollectorConfig>(COLLECTOR_FLAGS, argv, env);
}

export function collectorHelpText(): string {
  return flagHelpText(COLLECTOR_FLAGS, [
    'Usage: kube-api-exporter collector [flags]',
    '',
    'Receives cluster reports (POST /api/v1 spartakus, POST /api/v1/stats tectonic) and stores them in PostgreSQL.',
  ]);
}
