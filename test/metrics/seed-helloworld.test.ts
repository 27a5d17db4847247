/** The seed document's example, pinned: kube-api-exporter.md, "Is translated into the following Prometheus metrics". */
import test from 'ava';
import { flatten } from '../../src/metrics/flatten.js';
import { MetricsStore } from '../../src/metrics/store.js';
import { renderedText } from '../support/assertions/exposition.js';

const helloworld = {
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  metadata: {
    name: 'helloworld',
    namespace: 'default',
    generation: 2,
    uid: '6f1c1c1e-0000-4000-8000-000000000001',
    resourceVersion: '4242',
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'helloworld' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'helloworld' } },
      spec: {
        containers: [{ name: 'helloworld', image: 'giantswarm/helloworld:latest' }],
        terminationGracePeriodSeconds: 30,
      },
    },
  },
  status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
};

// Values print as `2` where the Python original printed `2.0`; Prometheus reads both the same.
const SEED_SERIES = `
k8s_deployment_metadata_generation{name="helloworld",namespace="default"} 2
k8s_deployment_spec_replicas{name="helloworld",namespace="default"} 1
k8s_deployment_spec_strategy_rollingUpdate_maxSurge{name="helloworld",namespace="default"} 1
k8s_deployment_spec_template_spec_terminationGracePeriodSeconds{name="helloworld",namespace="default"} 30
k8s_deployment_status_availableReplicas{name="helloworld",namespace="default"} 1
k8s_deployment_status_observedGeneration{name="helloworld",namespace="default"} 2
k8s_deployment_status_replicas{name="helloworld",namespace="default"} 1
k8s_deployment_status_updatedReplicas{name="helloworld",namespace="default"} 1
`
  .trim()
  .split('\n');

test('the helloworld deployment renders exactly the 8 series of the seed document', (t) => {
  const store = new MetricsStore();
  store.set(
    'deployment/default/helloworld',
    flatten('k8s_deployment', { name: 'helloworld', namespace: 'default' }, helloworld),
  );
  const samples = renderedText(store)
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  t.deepEqual(samples, SEED_SERIES);
});
