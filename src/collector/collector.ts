/** Wires the collector: database (--db-url, else embedded), migrations, HTTP server. For main and the tests. */

import type { AddressInfo } from 'node:net';
import type { CollectorConfig } from '../config/collector.js';
import type { HttpAuth } from '../http/guard.js';
import { closeGracefully, listen, urlHost } from '../http/listen.js';
import { loadBearerToken } from '../http/security.js';
import type { Logger } from '../util/log.js';
import { createCollectorApp } from './app.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded-db.js';
import { CollectorMetrics } from './metrics.js';
import { RecordStore } from './record-store.js';

export interface CollectorOptions {
  readonly config: Pick<
    CollectorConfig,
    | 'port'
    | 'host'
    | 'dbUrl'
    | 'dbDir'
    | 'trustProxy'
    | 'maxBodyBytes'
    | 'reportAuthTokenFile'
    | 'summaryAuthTokenFile'
    | 'reportsPerClientMinute'
    | 'reportsPerClusterDay'
  >;
  readonly log: Logger;
}

export interface RunningCollector {
  /** Base URL, e.g. http://127.0.0.1:8081 */
  readonly url: string;
  /** The connection string in use (the embedded server's when no --db-url was given). */
  readonly dbUrl: string;
  /** Stops accepting; requests in flight get up to `graceMs` (default 5 s) to finish. */
  stop(graceMs?: number): Promise<void>;
}

export async function startCollector({ config, log }: CollectorOptions): Promise<RunningCollector> {
  // Read first: a bad token file is a usage error, before any database starts.
  const reportAuth = tokenFrom('report-auth-token-file', config.reportAuthTokenFile);
  const summaryAuth = tokenFrom('summary-auth-token-file', config.summaryAuthTokenFile);
  const embedded: EmbeddedDatabase | undefined = config.dbUrl
    ? undefined
    : await startEmbeddedPostgres(config.dbDir, log);
  const dbUrl = config.dbUrl ?? embedded!.url;
  const store = new RecordStore(dbUrl);
  const release = async () => {
    await store.close();
    await embedded?.stop();
  };
  try {
    await store.migrate();
  } catch (error) {
    await release();
    throw new Error(`cannot prepare the database: ${(error as Error).message}`);
  }
  const app = createCollectorApp({
    store,
    metrics: new CollectorMetrics(),
    trustProxy: config.trustProxy,
    maxBodyBytes: config.maxBodyBytes,
    reportAuth,
    summaryAuth,
    reportsPerClientMinute: config.reportsPerClientMinute,
    reportsPerClusterDay: config.reportsPerClusterDay,
    log,
  });
  // A port in use must not leave the database running behind the error.
  const server = await listen(app.callback(), config.port, config.host).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  const url = `http://${urlHost(config.host)}:${(server.address() as AddressInfo).port}`;
  log.info('collector listening', {
    url,
    database: embedded ? `embedded in ${config.dbDir}` : 'from --db-url',
    reportsNeedToken: reportAuth !== undefined,
    summaryNeedsToken: summaryAuth !== undefined,
  });
  return {
    url,
    dbUrl,
    async stop(graceMs = 5000) {
      await closeGracefully(server, graceMs);
      await release();
    },
  };
}

function tokenFrom(flag: string, file: string | undefined): HttpAuth | undefined {
  return file === undefined ? undefined : loadBearerToken(flag, file);
}
