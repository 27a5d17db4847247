#!/usr/bin/env node
/** The command: flags/env → config → exporter. Exit 2 for bad flags or config, 1 when it cannot start. */

import { readFileSync } from 'node:fs';
import { helpText, parseConfig, UsageError } from './config.js';
import { startExporter } from './exporter.js';
import { loadHttpSecurity } from './http-security.js';
import { loadKubeConfig } from './kubeconfig.js';
import { createLogger } from './log.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const SHUTDOWN_GRACE_MS = 5000;

async function main(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(parsed.action === 'help' ? helpText() : `${packageVersion()}\n`);
    return;
  }
  const { config } = parsed;
  const log = createLogger(config.logLevel);
  const kubeConfig = loadKubeConfig(config.kubeconfig, process.env);
  const watchTimeouts = { timeoutSeconds: config.watchTimeoutSeconds, idleTimeoutMs: config.watchIdleTimeoutSeconds * 1000 };
  const limits = { maxDepth: config.maxDepth, maxSeriesPerObject: config.maxSeriesPerObject, maxLabelValueLength: config.maxLabelLength };
  const { tls, auth } = loadHttpSecurity(config);
  const exporter = await startExporter({ config, kubeConfig, log, watchTimeouts, limits, unreadyAfterMs: config.unreadyAfterSeconds * 1000, tls, auth });
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    // Requests in flight get SHUTDOWN_GRACE_MS; whatever still holds the process after that does not.
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + 1000).unref();
    exporter.stop(SHUTDOWN_GRACE_MS).then(() => {
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

main().catch((error: Error) => {
  const usage = error instanceof UsageError;
  process.stderr.write(`kube-api-exporter: ${error.message}${usage ? ' (see --help)' : ''}\n`);
  process.exit(usage ? EXIT_USAGE : EXIT_FAILURE);
});
