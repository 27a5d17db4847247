/**
 * The rows both commands (the exporter, the collector) have, generic in the config: each command puts them at its
 * own key, under its own environment prefix, the port with its own default.
 */

import { LOG_LEVELS, type LogLevel } from '../util/log.js';
import type { FlagRow, FlagSpec, KeyFor } from './flags.js';
import { parseLogLevel, parsePort, parseText } from './parsers.js';

export interface SharedFlags<C> {
  port(key: KeyFor<C, number>, defaultPort: string): FlagSpec<C>;
  host(key: KeyFor<C, string>): FlagSpec<C>;
  logLevel(key: KeyFor<C, LogLevel>): FlagSpec<C>;
}

export function sharedFlags<C>(flag: FlagRow<C>): SharedFlags<C> {
  return {
    port: (key, defaultPort) =>
      flag('port', key, 'N', defaultPort, parsePort, 'HTTP port to listen on (0 picks a free one)'),
    host: (key) => flag('host', key, 'ADDR', '0.0.0.0', parseText, 'address to listen on'),
    logLevel: (key) => flag('log-level', key, 'LEVEL', 'info', parseLogLevel, `one of ${LOG_LEVELS.join(', ')}`),
  };
}
