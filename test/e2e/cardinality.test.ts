/** End to end: allow/deny lists and per-kind series limits on /metrics, with the drops in the self-metrics. */
import test from 'ava';
import { kindByMetricName } from '../../src/kinds/table.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { startTestCluster } from '../support/harness/cluster.js';

const [pod, node] = ['pod', 'node'].map((name) => kindByMetricName(name)!);

test('denied names and series over a kind limit never reach /metrics, and are counted', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(pod, {
        metadata: { name: 'p', namespace: 'default' },
        spec: {
          containers: ['a', 'b', 'c'].map((name) => ({
            name,
            image: 'i',
            ports: [{ name: 'http', containerPort: 80 }],
          })),
        },
        status: { containerStatuses: ['a', 'b', 'c'].map((name) => ({ name, restartCount: 1, ready: true })) },
      });
      api.create(node, { metadata: { name: 'n' }, status: { capacity: { cpu: '2', memory: '1Gi', pods: '110' } } });
    },
    excludeNamespaces: [],
    config: {
      cardinality: { deny: ['*_ready', 'k8s_node_status_capacity_pods'], seriesLimits: new Map([['pod', 4]]) },
    },
  });
  const text = await cluster.text('/metrics');
  const objects = seriesValues(text);
  const podSeries = [...objects.keys()].filter((key) => key.startsWith('k8s_pod_'));
  t.deepEqual(podSeries.length, 4, podSeries.join('\n'));
  t.false(podSeries.some((key) => key.includes('_ready')));
  t.true(objects.has('k8s_node_status_capacity_cpu{name="n"}'));
  t.false(objects.has('k8s_node_status_capacity_pods{name="n"}'));
  t.false(text.includes('# HELP k8s_node_status_capacity_pods'), 'no empty family is announced');

  const own = seriesValues(text, 'kube_api_exporter_series');
  t.is(own.get('kube_api_exporter_series_dropped_total{kind="pod",reason="denied"}'), 3);
  // The pod renders creationTimestamp + 3 ports + 3 restartCounts = 7 flattened series that pass the deny list, and
  // 21 declared ones (phase 5 and QoS class 3, all 0 since its status names neither; 3 states of 3 containers; the
  // image of each container; info); 4 are kept.
  t.is(own.get('kube_api_exporter_series_dropped_total{kind="pod",reason="limit"}'), 24);
  t.is(own.get('kube_api_exporter_series_dropped_total{kind="node",reason="denied"}'), 1);
  t.is(own.get('kube_api_exporter_series'), objects.size);
});
