/** An exporter with the volunteer on, watching a simulated API server that also serves namespaces. */

import type { ExecutionContext } from 'ava';
import { SimulatedApiServer } from '../../../src/demo/simulated-apiserver.js';
import { type RunningExporter, startExporter } from '../../../src/exporter.js';
import { NAMESPACE } from '../../../src/kinds/table.js';
import { kubeConfigForServer } from '../../../src/kube/kubeconfig.js';
import type { ReportConfig } from '../../../src/report/volunteer.js';
import { silentLogger } from '../../../src/util/log.js';
import { testConfig } from '../builders/config.js';
import { eventually, FAST_BACKOFF } from './cluster.js';

export const NAMESPACE_KIND = NAMESPACE;

export const FAST_REPORT_BACKOFF = { initialMs: 50, maxMs: 400 };

export async function startVolunteerCluster(
  t: ExecutionContext,
  /** The report flags, the tectonic accountSecret as readAccountSecret would give it, and the collector's token. */
  {
    accountSecret,
    authToken,
    ...report
  }: Partial<ReportConfig> & { readonly accountSecret?: string; readonly authToken?: string },
  seed: (api: SimulatedApiServer) => void,
): Promise<{ api: SimulatedApiServer; exporter: RunningExporter }> {
  const api = new SimulatedApiServer();
  const apiUrl = await api.start();
  t.teardown(() => api.stop());
  seed(api);
  const exporter = await startExporter({
    config: testConfig({ leanix: { excludeNamespaces: new Set() }, report }),
    kubeConfig: kubeConfigForServer(apiUrl),
    log: silentLogger,
    backoff: FAST_BACKOFF,
    reportAccountSecret: accountSecret,
    reportAuthToken: authToken,
    reportBackoff: FAST_REPORT_BACKOFF,
  });
  t.teardown(() => exporter.stop());
  await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'exporter ready');
  await eventually(async () => (await fetch(`${exporter.url}/report.json`)).status === 200, 'cluster ID known');
  return { api, exporter };
}
