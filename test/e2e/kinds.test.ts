/** End to end: kinds added by --kinds, from the table and as custom resources found through discovery. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseKindList } from '../../src/kinds/selection.js';
import { KINDS, type KindSpec, kindByMetricName } from '../../src/kinds/table.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';

const kind = (name: string) => kindByMetricName(name)!;
const crontab: KindSpec = {
  metricName: 'crontab',
  group: 'stable.example.com',
  version: 'v1',
  plural: 'crontabs',
  kind: 'CronTab',
  namespaced: true,
};
const clusterWidget: KindSpec = {
  metricName: 'clusterwidget',
  group: 'example.com',
  version: 'v1alpha1',
  plural: 'clusterwidgets',
  kind: 'ClusterWidget',
  namespaced: false,
};

test('--kinds watches table kinds and custom resources, flattened by the same rules; others stay unwatched', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      api.create(kind('daemonset'), {
        metadata: { name: 'agent', namespace: 'kube-system' },
        status: { numberReady: 3, desiredNumberScheduled: 4 },
      });
      api.create(kind('statefulset'), {
        metadata: { name: 'db', namespace: 'data' },
        spec: { replicas: 3 },
        status: { readyReplicas: 2 },
      });
      api.create(kind('namespace'), { metadata: { name: 'data' }, status: { phase: 'Active' } });
      api.create(kind('job'), { metadata: { name: 'not-watched', namespace: 'data' }, status: { succeeded: 1 } });
      api.create(crontab, {
        metadata: { name: 'nightly', namespace: 'data' },
        spec: { replicas: 2, cronSpec: '0 0 * * *' },
      });
      api.create(clusterWidget, { metadata: { name: 'w' }, spec: { size: '1Gi', parts: [{ name: 'a', weight: 5 }] } });
    },
    excludeNamespaces: [],
    config: {
      scope: {
        kinds: parseKindList(
          'daemonsets,statefulset,namespace,stable.example.com/v1/crontabs,example.com/v1alpha1/clusterwidgets',
        ),
      },
    },
    served: [...KINDS, crontab, clusterWidget],
  });
  const values = seriesValues(await cluster.text('/metrics'));
  t.is(values.get('k8s_daemonset_status_numberReady{name="agent",namespace="kube-system"}'), 3);
  t.is(values.get('k8s_statefulset_spec_replicas{name="db",namespace="data"}'), 3);
  t.true(
    values.has('k8s_namespace_metadata_creationTimestamp{name="data"}'),
    'cluster-scoped table kind has no namespace label',
  );
  t.is(values.get('k8s_statefulset_metadata_generation{name="db",namespace="data"}'), 1);
  t.is(values.get('k8s_crontab_spec_replicas{name="nightly",namespace="data"}'), 2);
  t.is(values.get('k8s_clusterwidget_spec_parts_weight{name="w",part="a"}'), 5);
  t.false(
    [...values.keys()].some((key) => key.startsWith('k8s_job_')),
    'jobs were not asked for',
  );
  t.false(
    [...values.keys()].some((key) => key.includes('cronSpec') || key.includes('spec_size')),
    'strings outside quantity maps are skipped',
  );

  const readiness = await (await cluster.get('/readyz')).json();
  t.deepEqual(Object.keys(readiness.kinds), [
    'deployment',
    'pod',
    'node',
    'service',
    'daemonset',
    'statefulset',
    'namespace',
    'crontab',
    'clusterwidget',
  ]);
  t.is(
    seriesValues(await cluster.text('/metrics'), 'kube_api_exporter_cache_objects').get(
      'kube_api_exporter_cache_objects{kind="crontab"}',
    ),
    1,
  );

  // The LeanIX inventory lists watched statefulsets and daemonsets.
  const inventory = await (await cluster.get('/leanix/v2.json')).json();
  const namespace = (name: string) =>
    inventory.namespaces.find((candidate: { name: string }) => candidate.name === name);
  t.deepEqual(
    namespace('data').statefulSets.map((view: { name: string; replicas: object }) => [view.name, view.replicas]),
    [['db', { desired: 3, updated: 0, ready: 2, available: 0 }]],
  );
  t.deepEqual(
    namespace('kube-system').daemonSets.map((view: { name: string }) => view.name),
    ['agent'],
  );
  cluster.api.update(kind('daemonset'), 'kube-system', 'agent', (object) => {
    object.status.numberReady = 4;
  });
  await eventually(
    async () =>
      seriesValues(await cluster.text('/metrics')).get(
        'k8s_daemonset_status_numberReady{name="agent",namespace="kube-system"}',
      ) === 4,
    'daemonset updated',
  );
});

test('a --kinds resource the API server does not serve stops start-up with a clear error', async (t) => {
  await t.throwsAsync(
    startTestCluster(t, {
      excludeNamespaces: [],
      config: { scope: { kinds: parseKindList('stable.example.com/v1/crontabs') } },
    }),
    {
      message: /GET \/apis\/stable.example.com\/v1: HTTP 404/,
    },
  );
});

test('a custom resource declared in a --fields-config file gets its state set; allow-listed labels and annotations, listed and watched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fields-'));
  const file = join(dir, 'fields.yaml');
  writeFileSync(
    file,
    [
      'kinds:',
      '  crontab:',
      '    stateSets:',
      '      - { path: status.phase, label: phase, values: [Scheduled, Running, Failed] }',
      '      - { path: "status.conditions[].reason", label: reason }',
      '    zeros: [status.activeRuns]',
    ].join('\n'),
  );
  const annotated = (name: string) => ({
    metadata: {
      name,
      namespace: 'data',
      labels: { app: 'backup', 'app.kubernetes.io/part-of': 'ops' },
      annotations: {
        'owner.example.com/team': 'storage',
        'kubectl.kubernetes.io/last-applied-configuration': '{"secret":1}',
      },
    },
    spec: { replicas: 1 },
    status: { phase: 'Running' },
  });
  const cluster = await startTestCluster(t, {
    seed: (api) => api.create(crontab, annotated('nightly')),
    excludeNamespaces: [],
    config: {
      scope: { kinds: parseKindList('stable.example.com/v1/crontabs') },
      declared: {
        fieldsConfig: file,
        labelsAllowlist: new Map([['crontabs', ['app.kubernetes.io/part-of']]]),
        annotationsAllowlist: new Map([['crontab', ['owner.example.com/team']]]),
      },
    },
    served: [...KINDS, crontab],
  });
  const id = 'name="nightly",namespace="data"';
  const values = seriesValues(await cluster.text('/metrics'));
  t.is(values.get(`k8s_crontab_status_phase{${id},phase="Running"}`), 1);
  t.is(values.get(`k8s_crontab_status_phase{${id},phase="Failed"}`), 0);
  t.is(values.get(`k8s_crontab_status_activeRuns{${id}}`), 0);
  t.is(values.get(`k8s_crontab_labels{${id},label_app_kubernetes_io_part_of="ops"}`), 1);
  t.is(values.get(`k8s_crontab_annotations{${id},annotation_owner_example_com_team="storage"}`), 1, 'listed');
  t.false((await cluster.text('/metrics')).includes('last-applied'));

  cluster.api.update(crontab, 'data', 'nightly', (object) => {
    object.status = {
      phase: 'Failed',
      conditions: [{ type: 'Healthy', status: 'False', reason: 'BackoffLimitExceeded' }],
    };
  });
  cluster.api.create(crontab, annotated('hourly'));
  await eventually(async () => {
    const now = seriesValues(await cluster.text('/metrics'));
    return (
      now.get(`k8s_crontab_status_phase{${id},phase="Failed"}`) === 1 &&
      now.get(`k8s_crontab_status_conditions_reason{${id},condition="Healthy",reason="BackoffLimitExceeded"}`) === 1 &&
      now.get(`k8s_crontab_annotations{${id},annotation_owner_example_com_team="storage"}`) === 1 &&
      now.get('k8s_crontab_annotations{name="hourly",namespace="data",annotation_owner_example_com_team="storage"}') ===
        1
    );
  }, 'watched changes');
  const kept = [...cluster.exporter.cache.objects(crontab)].map((object) => object.metadata as object);
  t.false(
    kept.some((metadata) => 'annotations' in metadata),
    'the cache keeps no annotation',
  );
});

test('--fields-config naming a kind that is not watched stops start-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fields-'));
  const file = join(dir, 'fields.json');
  writeFileSync(file, JSON.stringify({ kinds: { crontab: { zeros: ['status.runs'] } } }));
  await t.throwsAsync(startTestCluster(t, { excludeNamespaces: [], config: { declared: { fieldsConfig: file } } }), {
    message: new RegExp(`--fields-config ${file} names crontab, which is not watched`),
  });
});
