/**
 * The volunteer inside the exporter: the cluster report on /report.json and, with --report-url, POSTed to a
 * collector every --report-interval. Off by default: without --report-url nothing is sent anywhere.
 */

import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterCache } from '../cache.js';
import { NODE } from '../kinds/table.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Backoff } from '../util/backoff.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { resolveClusterId } from './cluster-id.js';
import { buildReport, type Report, type ReportFormat, type ReportIdentity } from './report.js';
import { Reporter } from './reporter.js';

/** The tectonic accountSecret comes from this environment variable or a file, never from a flag (it would show in `ps`). */
export const REPORT_ACCOUNT_SECRET_ENV = 'KUBE_API_EXPORTER_REPORT_ACCOUNT_SECRET';

/** The report flags (--cluster-id, --report-*). */
export interface ReportConfig {
  readonly clusterId: string | undefined;
  /** The collector; undefined: no reports sent. */
  readonly url: string | undefined;
  readonly intervalMs: number;
  readonly format: ReportFormat;
  readonly accountId: string | undefined;
  /** tectonic only: the file holding the accountSecret (read by readAccountSecret). */
  readonly accountSecretFile: string | undefined;
  /** The file holding the bearer token the collector asks for (--report-auth-token-file, read by main). */
  readonly authTokenFile: string | undefined;
}

/**
 * The tectonic accountSecret from $KUBE_API_EXPORTER_REPORT_ACCOUNT_SECRET or --report-account-secret-file, and the
 * check that a tectonic report can be sent. Throws UsageError.
 */
export function readAccountSecret(
  config: ReportConfig,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  let secret = env[REPORT_ACCOUNT_SECRET_ENV] || undefined;
  if (secret === undefined && config.accountSecretFile) {
    try {
      secret = readFileSync(config.accountSecretFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(
        `cannot read --report-account-secret-file ${config.accountSecretFile}: ${(error as Error).message}`,
      );
    }
  }
  if (config.format === 'tectonic' && config.url && (!config.accountId || !secret)) {
    throw new UsageError(
      `--report-format tectonic needs --report-account-id and the secret in $${REPORT_ACCOUNT_SECRET_ENV} or --report-account-secret-file`,
    );
  }
  return secret;
}

export interface VolunteerOptions {
  readonly config: ReportConfig;
  /** The tectonic accountSecret, from readAccountSecret; never a flag. */
  readonly accountSecret?: string;
  /** The bearer token the collector asks for (--report-auth-token-file); none: no Authorization header. */
  readonly authToken?: string;
  readonly kubeConfig: KubeConfig;
  readonly cache: ClusterCache;
  /** Whether the nodes have been listed into the cache. */
  readonly nodesSynced: () => boolean;
  readonly selfMetrics: SelfMetrics;
  readonly log: Logger;
  readonly backoff?: Backoff;
}

export interface Volunteer {
  /** Settles once the cluster ID is known. */
  readonly identified: Promise<void>;
  /** The report as /report.json shows it (the accountSecret is never shown); undefined until the cluster ID is known. */
  shown(): Report | undefined;
  start(): void;
  stop(): void;
}

/**
 * The volunteer, not yet sending. The cluster ID is resolved in the background (one API request at most), so an
 * API server that does not answer never holds up the exporter's start; until then there is no report to show or send.
 */
export function createVolunteer({
  config,
  accountSecret,
  authToken,
  kubeConfig,
  cache,
  nodesSynced,
  selfMetrics,
  log,
  backoff,
}: VolunteerOptions): Volunteer {
  let identity: ReportIdentity | undefined;
  const identified = resolveClusterId(config.clusterId, kubeConfig, log).then(({ clusterID, source }) => {
    log.info('cluster ID for reports', { clusterID, source });
    identity = { clusterID, format: config.format, accountID: config.accountId };
  });
  const nodeKind = NODE;
  const build = (known: ReportIdentity, secret: string) =>
    buildReport(cache.objects(nodeKind), { ...known, accountSecret: secret }, new Date());
  const reporter = config.url
    ? new Reporter({
        url: config.url,
        authToken,
        intervalMs: config.intervalMs,
        build: () => build(identity!, accountSecret ?? ''),
        ready: () => identity !== undefined && nodesSynced(),
        selfMetrics,
        log,
        backoff,
      })
    : undefined;
  return {
    identified,
    shown: () => (identity === undefined ? undefined : build(identity, '')),
    start: () => reporter?.start(),
    stop: () => reporter?.stop(),
  };
}
