/** The collector command's flags, as one table like the exporter's (src/config/exporter.ts): parsing, --help, README. */

import type { LogLevel } from '../util/log.js';
import { flagHelpText, flagRow, type ParseResult, parseFlagTable } from './flags.js';
import { parseBoolean, parsePositiveInteger, parseText, urlParser } from './parsers.js';
import { sharedFlags } from './shared.js';

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

const flag = flagRow<CollectorConfig>('KUBE_API_EXPORTER_COLLECTOR_');
const shared = sharedFlags(flag);

/**
 * One row per flag, as in src/config/exporter.ts: flag(name, CollectorConfig key, value name, default, parse,
 * description); the environment variable is KUBE_API_EXPORTER_COLLECTOR_ and the name in upper snake case. A value
 * name '' makes a switch (`--trust-proxy`, no value on the command line).
 */
// biome-ignore format: one line per flag
export const COLLECTOR_FLAGS = [
  shared.port('port', '8081'),
  shared.host('host'),
  flag('db-url',         'dbUrl',        'URL', undefined,      urlParser(['postgres:', 'postgresql:']), 'PostgreSQL connection URL (postgres://user:pass@host:5432/db); unset: an embedded server in --db-dir'),
  flag('db-dir',         'dbDir',        'DIR', 'collector-db', parseText,                               'data directory of the embedded PostgreSQL server (without --db-url); created on first start'),
  flag('trust-proxy',    'trustProxy',   '',    'false',        parseBoolean,                            'take received_from from X-Forwarded-For / X-Real-IP (only behind a proxy that sets them)'),
  flag('max-body-bytes', 'maxBodyBytes', 'N',   '1048576',      parsePositiveInteger,                    'largest report accepted; larger ones get 413'),
  flag('report-auth-token-file',    'reportAuthTokenFile',    'FILE', undefined, parseText,            'file holding a bearer token that POSTed reports must carry; unset: anyone may report'),
  flag('summary-auth-token-file',   'summaryAuthTokenFile',   'FILE', undefined, parseText,            'file holding a bearer token that GET /api/v1/summary must carry; unset: anyone may read it'),
  flag('reports-per-client-minute', 'reportsPerClientMinute', 'N',    '10',      parsePositiveInteger, 'reports accepted per client address and minute (bursts of N); more get 429'),
  flag('reports-per-cluster-day',   'reportsPerClusterDay',   'N',    '100',     parsePositiveInteger, 'reports stored per cluster ID in any 24 hours; more get 429'),
  shared.logLevel('logLevel'),
];

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
