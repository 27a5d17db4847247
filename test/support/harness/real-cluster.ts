/**
 * The exporter on a real control plane, as it is installed: `kubectl create -f k8s`, then a token of the
 * ServiceAccount those manifests create (`kubectl create token`) in a kubeconfig with the cluster's CA.
 */

import { type RunningExporter, startExporter } from '../../../src/exporter.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { silentLogger } from '../../../src/util/log.js';
import { testConfig } from '../builders/config.js';
import { type ControlPlane, KUBE_APISERVER, startControlPlane } from '../servers/kube-apiserver.js';
import { eventually, FAST_BACKOFF } from './cluster.js';
import { K8S_DIR, loadManifests, objectOfKind } from './manifests.js';

const serviceAccount = objectOfKind(loadManifests(), 'ServiceAccount').metadata;
export const EXPORTER_USER = `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`;

export interface InstalledCluster {
  readonly plane: ControlPlane;
  /** What `kubectl create -f k8s` printed. */
  readonly createOutput: string;
  /** The exporter's ServiceAccount token, and a kubeconfig with it and the cluster CA. */
  readonly exporterToken: string;
  readonly exporterKubeconfig: string;
}

/**
 * One control plane for a test file, started by the first test that asks and stopped by `stop()` (call it from
 * test.after.always). Declare the tests that use it with `testNeeding(CONTROL_PLANE_TOOLS, ...)`.
 */
export function sharedCluster(apiServerArgs: readonly string[] = []) {
  let started: Promise<InstalledCluster> | undefined;
  return {
    get(): Promise<InstalledCluster> {
      started ??= install(KUBE_APISERVER.command, apiServerArgs);
      return started;
    },
    async stop(): Promise<void> {
      const cluster = await started?.catch(() => undefined);
      await cluster?.plane.stop();
    },
  };
}

async function install(binary: string, apiServerArgs: readonly string[]): Promise<InstalledCluster> {
  const plane = await startControlPlane(binary, apiServerArgs);
  try {
    const createOutput = await plane.kubectl(['create', '-f', K8S_DIR]);
    const token = (
      await plane.kubectl(['-n', serviceAccount.namespace!, 'create', 'token', serviceAccount.name, '--duration=2h'])
    ).trim();
    return {
      plane,
      createOutput,
      exporterToken: token,
      exporterKubeconfig: plane.writeKubeconfig(serviceAccount.name, token),
    };
  } catch (error) {
    await plane.stop();
    throw error;
  }
}

/** The exporter's requests of this verb on a collection path (`/api/v1/pods`), from the audit log, in order. */
export function exporterRequests(plane: ControlPlane, verb: string, path: string): URLSearchParams[] {
  // A watch is logged once when its response starts (and again when it ends); other requests once, complete.
  const stage = verb === 'watch' ? 'ResponseStarted' : 'ResponseComplete';
  return plane
    .auditEvents()
    .filter((event) => event.user.username === EXPORTER_USER && event.verb === verb && event.stage === stage)
    .map((event) => new URL(event.requestURI, 'https://audit.invalid'))
    .filter((url) => url.pathname === path)
    .map((url) => url.searchParams);
}

/** The exporter's lists of a path: LIST pages, and streaming lists (watches with sendInitialEvents=true). */
export function exporterLists(plane: ControlPlane, path: string): URLSearchParams[] {
  const streamed = exporterRequests(plane, 'watch', path).filter((query) => query.get('sendInitialEvents') === 'true');
  return [...exporterRequests(plane, 'list', path), ...streamed];
}

/** The exporter in this process, with the ServiceAccount's kubeconfig loaded as --kubeconfig loads it, once ready. */
export async function startExporterAsServiceAccount(
  cluster: InstalledCluster,
  kubeconfig = cluster.exporterKubeconfig,
): Promise<RunningExporter> {
  const exporter = await startExporter({
    // Watches end after 5 s (as the server's --min-request-timeout 5 would choose), each after a bookmark; a kind is
    // unready as soon as it fails.
    config: testConfig({
      leanix: { excludeNamespaces: new Set(['kube-system', 'kube-public']) },
      watch: { timeoutSeconds: 5, idleTimeoutMs: 60_000 },
      http: { unreadyAfterMs: 0 },
    }),
    kubeConfig: loadKubeConfig(kubeconfig, {}),
    log: silentLogger,
    backoff: FAST_BACKOFF,
  });
  try {
    await eventually(async () => (await fetch(`${exporter.url}/readyz`)).status === 200, 'exporter ready', 30_000);
  } catch (error) {
    await exporter.stop();
    throw error;
  }
  return exporter;
}
