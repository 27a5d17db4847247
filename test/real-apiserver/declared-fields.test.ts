/**
 * Declared fields against a real kube-apiserver (README "Declared fields"), status set through the status
 * subresource as a kubelet would: a pod's series follow it from ErrImagePull to Running and vanish on delete, and a
 * custom resource declared in a --fields-config file gets its state set; a deployment's defaulted 25% surge is scaled.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { type RunningExporter, startExporter } from '../../src/exporter.js';
import { parseKindList } from '../../src/kinds/selection.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { silentLogger } from '../../src/util/log.js';
import { seriesValues } from '../support/assertions/exposition.js';
import { testConfig } from '../support/builders/config.js';
import { runningStatus, webPod } from '../support/builders/objects.js';
import { eventually, FAST_BACKOFF } from '../support/harness/cluster.js';
import { sharedCluster } from '../support/harness/real-cluster.js';
import { testNeeding } from '../support/harness/tools.js';
import { CONTROL_PLANE_TOOLS } from '../support/servers/kube-apiserver.js';

const testWithControlPlane = testNeeding(...CONTROL_PLANE_TOOLS);

const shared = sharedCluster();
let exporter: RunningExporter | undefined;
test.after.always(async () => {
  await exporter?.stop();
  await shared.stop();
});

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const P = 'name="web-1",namespace="shop"';
const C = 'name="nightly",namespace="shop"';

testWithControlPlane(
  'a pod from ErrImagePull to Running to deleted; a custom resource state set from --fields-config',
  async (t) => {
    t.timeout(240_000);
    const cluster = await shared.get();
    const { plane } = cluster;
    const patchStatus = (resource: string, status: object) =>
      plane.kubectl([
        '-n',
        'shop',
        'patch',
        resource,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status }),
      ]);
    await plane.kubectl(['create', '-f', '-'], JSON.stringify(CRD));
    await plane.kubectl(['wait', '--for=condition=established', '--timeout=60s', 'crd/crontabs.stable.example.com']);
    await plane.kubectl(['create', 'namespace', 'shop']);
    await plane.kubectl(['create', '-f', '-'], JSON.stringify(webPod('web-1', 'shop')));
    // The server defaults a rolling update to maxSurge and maxUnavailable 25%, strings.
    await plane.kubectl(['-n', 'shop', 'create', 'deployment', 'shop-web', '--image=shop/web:1', '--replicas=3']);
    await plane.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'nightly', namespace: 'shop' },
        spec: { cronSpec: '0 0 * * *' },
      }),
    );
    await patchStatus('crontab/nightly', {
      phase: 'Failed',
      conditions: [{ type: 'Healthy', status: 'False', reason: 'BackoffLimitExceeded', message: 'job failed 6 times' }],
    });
    await patchStatus('pod/web-1', {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          image: 'shop/app:1.0',
          imageID: '',
          state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied for shop/app' } },
          lastState: {},
        },
        {
          name: 'sidecar',
          ready: true,
          restartCount: 0,
          image: 'shop/sidecar:1.0',
          imageID: 'docker-pullable://shop/sidecar@sha256:ef',
          containerID: 'containerd://s1',
          state: { running: { startedAt: '2026-11-26T07:00:00Z' } },
          lastState: {},
        },
      ],
    });

    const dir = mkdtempSync(join(tmpdir(), 'fields-'));
    const fields = join(dir, 'fields.yaml');
    writeFileSync(
      fields,
      'kinds:\n  crontab:\n    stateSets:\n      - { path: status.phase, label: phase, values: [Scheduled, Running, Failed] }\n      - { path: "status.conditions[].reason", label: reason }\n',
    );
    exporter = await startExporter({
      config: testConfig({
        leanix: { excludeNamespaces: new Set() },
        scope: { kinds: parseKindList('stable.example.com/v1/crontabs') },
        declared: { fieldsConfig: fields },
      }),
      kubeConfig: loadKubeConfig(plane.adminKubeconfig, {}),
      log: silentLogger,
      backoff: FAST_BACKOFF,
    });
    const url = exporter.url;
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, 'exporter ready', 30_000);
    const metrics = async () => seriesValues(await (await fetch(`${url}/metrics`)).text(), 'k8s_');

    const failing = await metrics();
    t.is(failing.get(`k8s_pod_status_phase{${P},phase="Pending"}`), 1);
    t.is(failing.get(`k8s_pod_status_containerStatuses_state{${P},container="app",state="waiting"}`), 1);
    t.is(
      failing.get(`k8s_pod_status_containerStatuses_state_waiting_reason{${P},container="app",reason="ErrImagePull"}`),
      1,
    );
    t.is(failing.get(`k8s_pod_status_containerStatuses_state{${P},container="sidecar",state="running"}`), 1);
    t.is(failing.get(`k8s_pod_status_qosClass{${P},qos_class="Burstable"}`), 1, 'the QoS class the server computed');
    t.is(failing.get(`k8s_pod_spec_restartPolicy{${P},restart_policy="Always"}`), 1, 'the default the server set');
    t.is(failing.get(`k8s_crontab_status_phase{${C},phase="Failed"}`), 1);
    t.is(failing.get(`k8s_crontab_status_phase{${C},phase="Running"}`), 0);
    t.is(
      failing.get(`k8s_crontab_status_conditions_reason{${C},condition="Healthy",reason="BackoffLimitExceeded"}`),
      1,
    );
    const D = 'name="shop-web",namespace="shop"';
    t.is(failing.get(`k8s_deployment_spec_strategy_rollingUpdate_maxSurge{${D}}`), 1, '25% of 3, rounded up');
    t.is(failing.get(`k8s_deployment_spec_strategy_rollingUpdate_maxUnavailable{${D}}`), 0, '25% of 3, rounded down');
    t.false(
      [...failing.keys()].some((series) => /denied|failed 6/.test(series)),
      'no message text',
    );

    await patchStatus('pod/web-1', runningStatus('2026-11-26T07:01:00Z', 0));
    await eventually(async () => {
      const now = await metrics();
      return (
        now.get(`k8s_pod_status_phase{${P},phase="Running"}`) === 1 &&
        now.get(`k8s_pod_status_containerStatuses_state{${P},container="app",state="running"}`) === 1 &&
        ![...now.keys()].some((series) => series.includes('waiting_reason'))
      );
    }, 'running, no waiting reason left');

    await plane.kubectl(['-n', 'shop', 'delete', 'pod', 'web-1', '--grace-period=0', '--force']);
    await eventually(
      async () => ![...(await metrics()).keys()].some((series) => series.includes(P)),
      'every series of the pod gone',
    );
    t.is((await metrics()).get(`k8s_crontab_status_phase{${C},phase="Failed"}`), 1);
  },
);
