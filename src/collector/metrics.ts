/** The collector's own metrics, `kube_api_exporter_collector_*`, in one explicit prom-client registry. */

import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

const COLLECTOR_PREFIX = 'kube_api_exporter_collector_';

export type RejectReason = 'too_large' | 'invalid_json' | 'invalid' | 'unauthorized' | 'rate_limited' | 'cluster_cap';

export class CollectorMetrics {
  readonly registry = new Registry();
  readonly accepted: Counter<'format'>;
  readonly rejected: Counter<'format' | 'reason'>;
  readonly storeFailures: Counter<'format'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: COLLECTOR_PREFIX });
    this.accepted = new Counter({
      name: `${COLLECTOR_PREFIX}records_accepted_total`,
      help: 'Reports stored (answered 204), per format.',
      labelNames: ['format'],
      registers,
    });
    this.rejected = new Counter({
      name: `${COLLECTOR_PREFIX}records_rejected_total`,
      help: 'Reports refused (400, 401, 413, 429), per format and reason.',
      labelNames: ['format', 'reason'],
      registers,
    });
    this.storeFailures = new Counter({
      name: `${COLLECTOR_PREFIX}store_failures_total`,
      help: 'Valid reports that could not be stored (answered 503 for the sender to retry), per format.',
      labelNames: ['format'],
      registers,
    });
  }
}
