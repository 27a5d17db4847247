/** `npm run demo`: a simulated API server with a small living cluster, and the exporter watching it. */

import { helpText, parseConfig } from '../config/exporter.js';
import { startExporter } from '../exporter.js';
import { kubeConfigForServer } from '../kube/kubeconfig.js';
import { UsageError } from '../util/errors.js';
import { createLogger } from '../util/log.js';
import { seedDemoCluster, startDemoLife } from './cluster.js';
import { SimulatedApiServer } from './simulated-apiserver.js';

const LIFE_INTERVAL_MS = 5000;

async function demo(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (parsed.action !== 'run') {
    process.stdout.write(helpText());
    return;
  }
  const { config } = parsed;
  const apiServer = new SimulatedApiServer();
  const apiUrl = await apiServer.start();
  seedDemoCluster(apiServer);
  const stopLife = startDemoLife(apiServer, { intervalMs: LIFE_INTERVAL_MS });
  const exporter = await startExporter({
    config,
    kubeConfig: kubeConfigForServer(apiUrl),
    log: createLogger(config.logLevel),
  });
  process.stdout.write(
    [
      `Simulated Kubernetes API server: ${apiUrl}  (try ${apiUrl}/apis/apps/v1/deployments)`,
      `kube-api-exporter:               ${exporter.url}/`,
      `  metrics:      ${exporter.url}/metrics`,
      `  LeanIX:       ${exporter.url}/leanix.json`,
      `  LeanIX v2:    ${exporter.url}/leanix/v2.json  (services, deployments, pods, nodes, totals, deployment history)`,
      `  LeanIX LDIF:  ${exporter.url}/leanix/ldif.json`,
      `  report:       ${exporter.url}/report.json  (anonymous cluster report; ${reportDestination(config.report.url)})`,
      `  pod events:   ${exporter.url}/events   (curl -N; with --redis-url also on Redis)`,
      `  readiness:    ${exporter.url}/readyz`,
      `The cluster changes every ${LIFE_INTERVAL_MS / 1000} s (rollouts, restarts, replaced pods). Ctrl+C stops.`,
      '',
    ].join('\n'),
  );
  const shutdown = async () => {
    stopLife();
    await exporter.stop();
    await apiServer.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

demo().catch((error: Error) => {
  process.stderr.write(`kube-api-exporter demo: ${error.message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});

function reportDestination(url: string | undefined): string {
  return url === undefined ? 'sent nowhere without --report-url' : `POSTed to ${url}`;
}
