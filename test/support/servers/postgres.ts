/**
 * A real PostgreSQL server (Debian's `postgresql` package) for tests: initdb in a temp dir, then `postgres` on a
 * free 127.0.0.1 port, stoppable and restartable on the same port and data (to test an outage). PostgreSQL
 * refuses to run as root, so as root both run as the system user `postgres` the package creates. Tests that do
 * not stop the server share one per test file, each with a fresh database, to keep the load down.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import pg from 'pg';
import { eventually } from '../harness/cluster.js';
import { freePort, stopChild } from '../harness/process.js';
import type { Tool } from '../harness/tools.js';

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The newest Debian PostgreSQL's bin directory, if any. */
function debianBinDir(): string | undefined {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(DEBIAN_ROOT, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(DEBIAN_ROOT, versions[0], 'bin') : undefined;
}

const BIN_DIR = debianBinDir();

export const POSTGRES: Tool = {
  command: BIN_DIR ? join(BIN_DIR, 'postgres') : 'postgres',
  versionArgs: ['--version'],
  install: 'apt-get install postgresql',
};

const INITDB = BIN_DIR ? join(BIN_DIR, 'initdb') : 'initdb';

/** uid/gid to run the server as: the `postgres` user when we are root, else ourselves. */
function serverIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface TestDatabase {
  readonly url: string;
  query<T extends pg.QueryResultRow = Record<string, any>>(sql: string, values?: unknown[]): Promise<T[]>;
}

export interface TestPostgres extends TestDatabase {
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function queryAt<T extends pg.QueryResultRow>(url: string, sql: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** A server of the test's own, stopped and removed in t.teardown. */
export async function startPostgres(t: ExecutionContext): Promise<TestPostgres> {
  const server = await launchPostgres();
  t.teardown(() => server.close());
  return server;
}

let shared: Promise<TestPostgres & { close(): Promise<void> }> | undefined;

/** A fresh database on the server this file's tests share; stop it with `test.after.always(stopSharedPostgres)`. */
export async function freshDatabase(): Promise<TestDatabase> {
  shared ??= launchPostgres();
  const server = await shared;
  const name = `test_${randomBytes(6).toString('hex')}`;
  await server.query(`CREATE DATABASE ${name}`);
  const url = server.url.replace(/\/postgres$/, `/${name}`);
  return { url, query: (sql, values) => queryAt(url, sql, values) };
}

export async function stopSharedPostgres(): Promise<void> {
  if (shared) await (await shared).close();
}

async function launchPostgres(): Promise<TestPostgres & { close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'collector-pg-'));
  const identity = serverIdentity();
  if (identity.uid !== undefined) {
    chmodSync(dir, 0o700);
    chownSync(dir, identity.uid, identity.gid!);
  }
  const dataDir = join(dir, 'data');
  const init = spawnSync(
    INITDB,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    {
      ...identity,
      encoding: 'utf8',
    },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let output = '';

  const query = <T extends pg.QueryResultRow>(sql: string, values?: unknown[]) => queryAt<T>(url, sql, values);

  const start = async () => {
    const args = ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
    child = spawn(POSTGRES.command, args, { ...identity, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    const started = child;
    await eventually(
      async () => {
        if (started.exitCode !== null) throw new Error(`postgres exited with ${started.exitCode}: ${output}`);
        await query('SELECT 1');
        return true;
      },
      'postgres ready',
      30_000,
    );
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    // SIGINT: PostgreSQL's fast shutdown, which ends open connections at once.
    if (running) await stopChild(running, 'SIGINT');
  };

  const close = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return { url, start, stop, query, close };
}
