/** Wires the collector: database (--db-url, else embedded), migrations, HTTP server. For main and the tests. */

import type { AddressInfo } from 'node:net';
import type { CollectorConfig } from './collector-config.js';
import { createCollectorApp } from './collector-app.js';
import { CollectorMetrics } from './collector-metrics.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded-db.js';
import { listen, urlHost } from './exporter.js';
import type { Logger } from './log.js';
import { RecordStore } from './record-store.js';

export interface CollectorOptions {
  readonly config: Pick<CollectorConfig, 'port' | 'host' | 'dbUrl' | 'dbDir' | 'trustProxy' | 'maxBodyBytes'>;
  readonly log: Logger;
}

export interface RunningCollector {
  /** Base URL, e.g. http://127.0.0.1:8081 */
  readonly url: string;
  /** The connection string in use (the embedded server's when no --db-url was given). */
  readonly dbUrl: string;
  stop(): Promise<void>;
}

export async function startCollector({ config, log }: CollectorOptions): Promise<RunningCollector> {
  const embedded: EmbeddedDatabase | undefined = config.dbUrl ? undefined : await startEmbeddedPostgres(config.dbDir, log);
  const dbUrl = config.dbUrl ?? embedded!.url;
  const store = new RecordStore(dbUrl);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await embedded?.stop();
    throw new Error(`cannot prepare the database: ${(error as Error).message}`);
  }
  const app = createCollectorApp({ store, metrics: new CollectorMetrics(), trustProxy: config.trustProxy, maxBodyBytes: config.maxBodyBytes, log });
  const server = await listen(app.callback(), config.port, config.host);
  const url = `http://${urlHost(config.host)}:${(server.address() as AddressInfo).port}`;
  log.info('collector listening', { url, database: embedded ? `embedded in ${config.dbDir}` : 'from --db-url' });
  return {
    url,
    dbUrl,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await store.close();
      await embedded?.stop();
    },
  };
}
