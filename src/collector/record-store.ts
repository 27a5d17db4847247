/**
 * Where the collector keeps reports: PostgreSQL through `pg`, one row per report. Migrations run at start, in
 * order, each once (recorded in collector_migrations), under an advisory lock so that two collectors starting
 * together do not race.
 */

import pg from 'pg';
import type { ValidRecord } from './record-schema.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE reports (
     id            bigserial PRIMARY KEY,
     format        text        NOT NULL CHECK (format IN ('spartakus', 'tectonic')),
     cluster_id    text        NOT NULL,
     account_id    text,
     received_at   timestamptz NOT NULL,
     received_from text        NOT NULL,
     metadata      jsonb       NOT NULL,
     payload       jsonb       NOT NULL
   );
   CREATE INDEX reports_received_at ON reports (received_at);
   CREATE INDEX reports_cluster_id_received_at ON reports (cluster_id, received_at DESC);`,
];

/** An arbitrary constant: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x6b616531;
/** The first key of the advisory locks that serialise one cluster's reports (the second is its ID's hash). */
const CLUSTER_LOCK = 0x6b616532;

export interface ReceivedRecord extends ValidRecord {
  readonly receivedAt: Date;
  readonly receivedFrom: string;
}

export interface Summary {
  readonly days: number;
  readonly since: string;
  /** Clusters that reported since then. */
  readonly clusters: number;
  readonly reports: number;
  /** Nodes in each cluster's latest report since then, summed; below, grouped. */
  readonly nodes: number;
  readonly kubeletVersions: Readonly<Record<string, number>>;
  readonly osImages: Readonly<Record<string, number>>;
}

export class RecordStore {
  private readonly pool: pg.Pool;

  constructor(connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 5, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS collector_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM collector_migrations');
      const applied = new Set(rows.map((row) => row.version));
      for (const [index, sql] of MIGRATIONS.entries()) {
        const version = index + 1;
        if (applied.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO collector_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${version} failed: ${(error as Error).message}`);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
  }

  /**
   * Stores the report unless its cluster already has `perDay` reports in the 24 hours before it; resolves once the
   * row is committed, with false when the cap refused it. Reports of one cluster are counted and inserted one at a
   * time, under a transaction-scoped advisory lock on the cluster's ID: without it, reports sent at the same instant
   * would each count the others as not yet there and pass the cap together. The count is its own statement, after
   * the lock, so that it sees the rows the lock's previous holder committed.
   */
  async insert(record: ReceivedRecord, perDay: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CLUSTER_LOCK, record.clusterId]);
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) FROM reports WHERE cluster_id = $1 AND received_at > $2::timestamptz - interval '1 day'`,
        [record.clusterId, record.receivedAt],
      );
      if (Number(rows[0].count) >= perDay) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        `INSERT INTO reports (format, cluster_id, account_id, received_at, received_from, metadata, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          record.format,
          record.clusterId,
          record.accountId ?? null,
          record.receivedAt,
          record.receivedFrom,
          record.metadata,
          record.payload,
        ],
      );
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Tolerates any row (one stored before validation was strict, or written by hand): a format's node list that is
   * not a list counts as no nodes, an element that is not an object as no node, a nodeInfo that is not an object
   * as unknown versions. One such row never fails the summary.
   */
  async summary(days: number, now: Date): Promise<Summary> {
    const since = new Date(now.getTime() - days * 86_400_000);
    const { rows } = await this.pool.query<{ dimension: string; value: string | null; count: string }>(
      `WITH recent AS (
         SELECT * FROM reports WHERE received_at >= $1
       ), latest AS (
         SELECT DISTINCT ON (cluster_id)
           CASE format WHEN 'tectonic' THEN payload->'kubernetesNodes' ELSE payload->'nodes' END AS nodes
         FROM recent ORDER BY cluster_id, received_at DESC, id DESC
       ), node_info AS (
         SELECT node->'status'->'nodeInfo' AS info
         FROM latest,
           jsonb_array_elements(CASE jsonb_typeof(latest.nodes) WHEN 'array' THEN latest.nodes ELSE '[]' END) AS node
         WHERE jsonb_typeof(node) = 'object'
       )
       SELECT 'clusters' AS dimension, NULL AS value, count(*) FROM latest
       UNION ALL SELECT 'reports', NULL, count(*) FROM recent
       UNION ALL SELECT 'nodes', NULL, count(*) FROM node_info
       UNION ALL SELECT 'kubeletVersion', info->>'kubeletVersion', count(*) FROM node_info GROUP BY 2
       UNION ALL SELECT 'osImage', info->>'osImage', count(*) FROM node_info GROUP BY 2
       ORDER BY 1, 2`,
      [since],
    );
    const total = (dimension: string) => Number(rows.find((row) => row.dimension === dimension)?.count ?? 0);
    const grouped = (dimension: string) =>
      Object.fromEntries(
        rows.filter((row) => row.dimension === dimension).map((row) => [row.value ?? 'unknown', Number(row.count)]),
      );
    return {
      days,
      since: since.toISOString(),
      clusters: total('clusters'),
      reports: total('reports'),
      nodes: total('nodes'),
      kubeletVersions: grouped('kubeletVersion'),
      osImages: grouped('osImage'),
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
