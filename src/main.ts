#!/usr/bin/env node
/**
 * The command: flags/env → config → exporter, or with `collector` first, the collector. Exit 2 for bad flags or
 * config, 1 when it cannot start.
 */

import { readFileSync } from 'node:fs';
import { collectorHelpText, parseCollectorConfig } from './config/collector.js';
import { helpText, parseConfig } from './config/exporter.js';
import { startExporter } from './exporter.js';
import { loadBearerToken, loadHttpSecurity } from './http/security.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { readAccountSecret } from './report/volunteer.js';
import { UsageError } from './util/errors.js';
import { createLogger, type Logger } from './util/log.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const SHUTDOWN_GRACE_MS = 5000;
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Without a listener, SIGUSR1 makes Node open its inspector on 127.0.0.1:9229 (code execution for whoever reaches
 * it); a listener keeps it closed, on Node 20 too, which has no --disable-sigusr1. Installed before anything else.
 */
process.on('SIGUSR1', () => createLogger('warn').warn('SIGUSR1 ignored: the inspector is not opened by signal'));

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'collector') return collector(argv.slice(1));
  const parsed = parseConfig(argv, process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(parsed.action === 'help' ? helpText() : `${packageVersion()}\n`);
    return;
  }
  const { config } = parsed;
  const log = createLogger(config.logLevel);
  const reportAccountSecret = readAccountSecret(config.report, process.env);
  const kubeConfig = loadKubeConfig(config.kubeconfig, process.env);
  const { tls, auth } = loadHttpSecurity(config.http);
  const reportAuthToken =
    config.report.authTokenFile === undefined
      ? undefined
      : loadBearerToken('report-auth-token-file', config.report.authTokenFile).bearerToken;
  const exporter = await startExporter({ config, kubeConfig, log, reportAccountSecret, reportAuthToken, tls, auth });
  handleSignals(log, () => exporter.stop(SHUTDOWN_GRACE_MS));
}

async function collector(argv: readonly string[]): Promise<void> {
  const parsed = parseCollectorConfig(argv, process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(parsed.action === 'help' ? collectorHelpText() : `${packageVersion()}\n`);
    return;
  }
  const log = createLogger(parsed.config.logLevel);
  // Loaded here, not at the top: the exporter has no use for pg and ajv.
  const { startCollector } = await import('./collector/collector.js');
  const running = await startCollector({ config: parsed.config, log });
  handleSignals(log, () => running.stop(SHUTDOWN_GRACE_MS));
}

/**
 * SIGTERM, SIGINT and SIGHUP stop gracefully and exit 0; whatever still holds the process after the grace period
 * does not. SIGHUP is a stop, not a reload: there is no configuration to reload that a restart would not also read.
 * A second signal of the same kind ends the process at once.
 */
function handleSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + 1000).unref();
    stop().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  for (const signal of STOP_SIGNALS) process.once(signal, shutdown);
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return manifest.version;
}

main(process.argv.slice(2)).catch((error: Error) => {
  const usage = error instanceof UsageError;
  process.stderr.write(`kube-api-exporter: ${error.message}${usage ? ' (see --help)' : ''}\n`);
  process.exit(usage ? EXIT_USAGE : EXIT_FAILURE);
});
