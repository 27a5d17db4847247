import test from 'ava';
import { POD } from '../../src/kinds/table.js';
import { containerInfoSamples } from '../../src/metrics/container-info.js';
import { parseLabels, renderSample } from '../../src/metrics/exposition.js';
import { MetricsStore } from '../../src/metrics/store.js';
import { expositionProblems, promtoolProblems, renderedText } from '../support/assertions/exposition.js';
import { scheduledPod } from '../support/builders/objects.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { optionalTools, PROMTOOL } from '../support/harness/tools.js';

const pod = POD;

const OLD_ID = 'containerd://0ld';
const NEW_ID = 'containerd://n3w';

function aPod(appContainerID: string, extra: { deletionTimestamp?: string } = {}) {
  return scheduledPod('web-1', {
    metadata: { uid: 'uid-1', ...extra },
    spec: {
      initContainers: [{ name: 'migrate', image: 'web:1' }],
      containers: [
        { name: 'app', image: 'web:1' },
        { name: 'proxy', image: 'envoy:1' },
      ],
    },
    status: {
      phase: 'Running',
      qosClass: 'Burstable',
      initContainerStatuses: [
        {
          name: 'migrate',
          containerID: 'containerd://1n1t',
          image: 'docker.io/library/web:1',
          imageID: 'docker.io/library/web@sha256:aa',
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          containerID: appContainerID,
          image: 'docker.io/library/web:1',
          imageID: 'docker.io/library/web@sha256:aa',
          restartCount: appContainerID === NEW_ID ? 1 : 0,
        },
        { name: 'proxy', image: 'envoy:1', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    },
  });
}

test('one info series per container with an ID, init containers marked; the exposition format is pinned', (t) => {
  const lines = containerInfoSamples(aPod(OLD_ID)).map(renderSample);
  t.deepEqual(lines, [
    'k8s_pod_container_info{namespace="shop",pod="web-1",container="migrate",container_id="containerd://1n1t",image="docker.io/library/web:1",image_id="docker.io/library/web@sha256:aa",node="node-1",pod_uid="uid-1",qos_class="Burstable",init_container="true"} 1\n',
    'k8s_pod_container_info{namespace="shop",pod="web-1",container="app",container_id="containerd://0ld",image="docker.io/library/web:1",image_id="docker.io/library/web@sha256:aa",node="node-1",pod_uid="uid-1",qos_class="Burstable",init_container="false"} 1\n',
  ]);
});

const labelCases: ReadonlyArray<{ title: string; object: object; expected: string[] }> = [
  {
    title: 'no container has an ID yet',
    object: { metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'a', image: 'a:1' }] } },
    expected: [],
  },
  {
    title: 'an unscheduled pod has empty node, uid and qos labels',
    object: {
      metadata: { name: 'p', namespace: 'n' },
      status: { containerStatuses: [{ name: 'a', containerID: 'docker://x', image: 'a:1' }] },
    },
    expected: [
      'namespace=n pod=p container=a container_id=docker://x image=a:1 image_id= node= pod_uid= qos_class= init_container=false',
    ],
  },
  {
    title: 'label values with quotes and backslashes come through escaping unchanged',
    object: {
      metadata: { name: 'p', namespace: 'n' },
      status: { containerStatuses: [{ name: 'a', containerID: 'x"y', image: 'a\\b' }] },
    },
    expected: [
      'namespace=n pod=p container=a container_id=x"y image=a\\b image_id= node= pod_uid= qos_class= init_container=false',
    ],
  },
];

for (const { title, object, expected } of labelCases) {
  test(`containerInfoSamples: ${title}`, (t) => {
    const samples = containerInfoSamples(object);
    t.deepEqual(
      samples.map((sample) =>
        parseLabels(sample.labelText)
          .map(([name, value]) => `${name}=${value}`)
          .join(' '),
      ),
      expected,
    );
    t.true(samples.every((sample) => sample.value === 1));
  });
}

test('the info family renders under its own HELP as valid exposition', (t) => {
  const store = new MetricsStore();
  store.set('pod/shop/web-1', containerInfoSamples(aPod(OLD_ID)));
  const text = renderedText(store);
  t.true(
    text.startsWith(
      '# HELP k8s_pod_container_info One series per container with a container ID: its pod, image and node, for joins on container_id.\n# TYPE k8s_pod_container_info gauge\n',
    ),
  );
  t.deepEqual(expositionProblems(text), []);
  if (optionalTools(t, 'promtool check metrics of the rendered text', PROMTOOL))
    t.deepEqual(promtoolProblems(text), []);
});

const infoLines = (text: string) => text.split('\n').filter((line) => line.startsWith('k8s_pod_container_info{'));

test('end to end: the info series follow a container restart and the pod delete', async (t) => {
  const cluster = await startTestCluster(t, { seed: (api) => api.create(pod, aPod(OLD_ID)) });
  let lines = infoLines(await cluster.text('/metrics'));
  t.is(lines.length, 2);
  t.true(lines.some((line) => line.includes(`container_id="${OLD_ID}"`)));

  cluster.api.update(pod, 'shop', 'web-1', (object: any) => {
    object.status.containerStatuses[0].containerID = NEW_ID;
    object.status.containerStatuses[0].lastState = { terminated: { exitCode: 137, containerID: OLD_ID } };
  });
  await eventually(
    async () => infoLines(await cluster.text('/metrics')).some((line) => line.includes(`container_id="${NEW_ID}"`)),
    'new container ID',
  );
  const text = await cluster.text('/metrics');
  lines = infoLines(text);
  t.is(lines.length, 2);
  t.false(text.includes(OLD_ID), 'the old container ID vanished');
  t.deepEqual(expositionProblems(text), []);

  cluster.api.delete(pod, 'shop', 'web-1');
  await eventually(
    async () => !(await cluster.text('/metrics')).includes('k8s_pod_container_info'),
    'info family gone with the pod',
  );
});
