#!/usr/bin/env node
/**
 * The command: flags/env → config → exporter, or with `collector` first, the collector. Exit 2 for bad flags or
 * config, 1 when it cannot start.
 */

import { readFileSync } from 'node:fs';
import { startCollector } from './collector.js';
import { collectorHelpText, parseCollectorConfig } from './collector-config.js';
import { helpText, parseConfig, UsageError } from './config.js';
import { startExporter } from './exporter.js';
import { loadKubeConfig } from './kubeconfig.js';
import { createLogger, type Logger } from './log.js';
import { readAccountSecret } from './volunteer.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'collector') return collector(argv.slice(1));
  const parsed = parseConfig(argv, process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(parsed.action === 'help' ? helpText() : `${packageVersion()}\n`);
    return;
  }
  const { config } = parsed;
  const log = createLogger(config.logLevel);
  const reportAccountSecret = readAccountSecret(config, process.env);
  const kubeConfig = loadKubeConfig(config.kubeconfig, process.env);
  const exporter = await startExporter({ config, kubeConfig, log, reportAccountSecret });
  stopOnSignals(log, () => exporter.stop());
}

async function collector(argv: readonly string[]): Promise<void> {
  const parsed = parseCollectorConfig(argv, process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(parsed.action === 'help' ? collectorHelpText() : `${packageVersion()}\n`);
    return;
  }
  const log = createLogger(parsed.config.logLevel);
  const running = await startCollector({ config: parsed.config, log });
  stopOnSignals(log, () => running.stop());
}

function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    stop().then(() => process.exit(0));
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
