/**
 * The cluster's ID for reports: --cluster-id, else the kube-system namespace's UID (stable for the cluster's life,
 * one GET at start), else a random UUID that lives only as long as the process: it is persisted nowhere.
 */

import { randomUUID } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../util/log.js';

export type ClusterIdSource = 'flag' | 'kube-system namespace' | 'random';

const LOOKUP_TIMEOUT_MS = 10_000;

export async function resolveClusterId(
  flagValue: string | undefined,
  kubeConfig: KubeConfig,
  log: Logger,
): Promise<{ readonly clusterID: string; readonly source: ClusterIdSource }> {
  if (flagValue) return { clusterID: flagValue, source: 'flag' };
  try {
    const namespace = await withTimeout(
      kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' }),
      LOOKUP_TIMEOUT_MS,
    );
    if (namespace.metadata?.uid) return { clusterID: namespace.metadata.uid, source: 'kube-system namespace' };
    log.warn('kube-system namespace has no uid; reports use a random cluster ID');
  } catch (error) {
    log.warn('cannot read the kube-system namespace; reports use a random cluster ID for this run', {
      error: (error as Error).message?.split('\n')[0],
    });
  }
  return { clusterID: randomUUID(), source: 'random' };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
