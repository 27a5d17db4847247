/** Where the exporter finds its cluster: --kubeconfig, else $KUBECONFIG, else in-cluster, else ~/.kube/config. */

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../util/errors.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(
  flagPath: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): KubeConfig {
  const kubeConfig = new KubeConfig();
  const homeConfig = join(homedir(), '.kube', 'config');
  try {
    if (flagPath) kubeConfig.loadFromFile(flagPath);
    else if (env.KUBECONFIG) kubeConfig.loadFromDefault();
    else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) kubeConfig.loadFromCluster();
    else if (existsSync(homeConfig)) kubeConfig.loadFromFile(homeConfig);
    else throw new Error('none found: pass --kubeconfig FILE, set KUBECONFIG, or run in a pod with a service account');
  } catch (error) {
    const source = flagPath ?? env.KUBECONFIG ?? 'default locations';
    throw new UsageError(`cannot load kubeconfig (${source}): ${(error as Error).message.split('\n')[0]}`);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) throw new UsageError('kubeconfig has no current context with a cluster server');
  return kubeConfig;
}

/** A kubeconfig for one API server URL, optionally with a bearer token: for the demo and tests. */
export function kubeConfigForServer(server: string, token?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'cluster', server, skipTLSVerify: true }],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'context', cluster: 'cluster', user: 'user' }],
    currentContext: 'context',
  });
  return kubeConfig;
}
