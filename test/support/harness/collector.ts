/** A collector on a free 127.0.0.1 port, stopped in t.teardown. */

import type { ExecutionContext } from 'ava';
import { type CollectorOptions, type RunningCollector, startCollector } from '../../../src/collector/collector.js';
import { silentLogger } from '../../../src/util/log.js';

export async function startTestCollector(
  t: ExecutionContext,
  config: Partial<CollectorOptions['config']>,
): Promise<RunningCollector> {
  const collector = await startCollector({
    config: {
      port: 0,
      host: '127.0.0.1',
      dbUrl: undefined,
      dbDir: 'unused',
      trustProxy: false,
      maxBodyBytes: 1_048_576,
      reportAuthTokenFile: undefined,
      summaryAuthTokenFile: undefined,
      reportsPerClientMinute: 10_000,
      reportsPerClusterDay: 10_000,
      ...config,
    },
    log: silentLogger,
  });
  t.teardown(() => collector.stop());
  return collector;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
