/**
 * --metric-names=ksm in a real Prometheus: two exporters watch the same (simulated) cluster, one with our names (job
 * "k8s") and one with kube-state-metrics' (job "ksm"); kubernetes-mixin's expressions (alerts/apps_alerts,
 * kubelet, resource_alerts and rules/apps.libsonnet, with the kube-state-metrics selector as `job="ksm"`) evaluate
 * on the ksm job to what the same questions, asked of our default names, give on the k8s job.
 */

import { DEPLOYMENT, NODE, POD } from '../../src/kinds/table.js';
import { eventually, startReadyExporter, startTestCluster } from '../support/harness/cluster.js';
import { PROMETHEUS, testNeeding } from '../support/harness/tools.js';
import { prometheusApi, startPrometheus } from '../support/servers/prometheus.js';

const test = testNeeding(PROMETHEUS);

const T = '2026-11-25T09:00:00Z';
const owner = (kind: string, name: string) => ({
  ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: `${name}-uid`, controller: true }],
});

function aNode(name: string, cpu: string, memory: string, conditions: Record<string, string>, spec: object = {}) {
  const resources = { cpu, memory, pods: '110' };
  return {
    metadata: { name, labels: name === 'n1' ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
    spec,
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: Object.entries(conditions).map(([type, status]) => ({ type, status, lastTransitionTime: T })),
    },
  };
}

function aPod(
  name: string,
  ownerKind: string,
  phase: string,
  { requests = {}, waiting, ready = false, gated = false }: Record<string, any> = {},
) {
  return {
    metadata: { name, namespace: 'shop', ...owner(ownerKind, `${name.split('-')[0]}-rs`) },
    spec: {
      nodeName: phase === 'Pending' ? undefined : 'n1',
      containers: [{ name: 'app', image: 'shop/app:1', resources: { requests } }],
    },
    status: {
      phase,
      conditions: [
        gated
          ? { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', lastTransitionTime: T }
          : { type: 'PodScheduled', status: 'True', lastTransitionTime: T },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: T },
      ],
      containerStatuses: [
        {
          name: 'app',
          ready,
          restartCount: waiting === 'CrashLoopBackOff' ? 5 : 0,
          image: 'shop/app:1',
          state: waiting ? { waiting: { reason: waiting } } : { running: { startedAt: T } },
        },
      ],
    },
  };
}

function aDeployment(name: string, generation: number, observed: number, available: number, progressing: string) {
  return {
    metadata: { name, namespace: 'shop', generation },
    spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: { spec: { containers: [] } } },
    status: {
      observedGeneration: observed,
      replicas: 3,
      updatedReplicas: available,
      readyReplicas: available,
      availableReplicas: available,
      conditions: [{ type: 'Progressing', status: progressing, reason: 'ProgressDeadlineExceeded' }],
    },
  };
}

const NODES = [
  aNode('n1', '4', '8Gi', { Ready: 'True', MemoryPressure: 'False' }),
  aNode('n2', '2', '4Gi', { Ready: 'False', MemoryPressure: 'True' }),
  aNode(
    'n3',
    '2',
    '4Gi',
    { Ready: 'Unknown' },
    {
      unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
    },
  ),
];
const PODS = [
  aPod('web-a', 'ReplicaSet', 'Running', { waiting: 'CrashLoopBackOff', requests: { cpu: '500m', memory: '1Gi' } }),
  aPod('web-b', 'ReplicaSet', 'Pending', { gated: true, requests: { cpu: '1' } }),
  aPod('web-c', 'ReplicaSet', 'Pending', { waiting: 'ImagePullBackOff', requests: { cpu: '3', memory: '6Gi' } }),
  aPod('job-x', 'Job', 'Running', { requests: { cpu: '250m' } }),
  aPod('done-y', 'Job', 'Succeeded', { requests: { cpu: '8', memory: '64Gi' } }),
  aPod('api-a', 'ReplicaSet', 'Running', { ready: true, requests: { cpu: '1500m', memory: '2Gi' } }),
];
const DEPLOYMENTS = [aDeployment('web', 3, 2, 1, 'False'), aDeployment('api', 1, 1, 3, 'True')];

const K = 'job="k8s"';
const S = 'job="ksm"';
const requestsOf = (resource: string) => `sum by (namespace, cluster) (
    sum by (namespace, pod, cluster) (
        max by (namespace, pod, container, cluster) (
          kube_pod_container_resource_requests{resource="${resource}",${S}}
        ) * on(namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (
          kube_pod_status_phase{phase=~"Pending|Running"} == 1
        )
    )
)`;
const ourRequestsOf = (resource: string) => `sum by (namespace) (
  sum by (namespace, name) (k8s_pod_spec_containers_resources_requests_${resource}{${K}})
  * on (namespace, name) group_left() max by (namespace, name) (k8s_pod_status_phase{phase=~"Pending|Running",${K}} == 1)
)`;
const overcommit = (requests: string, allocatable: string) =>
  `sum(${requests}) - ((sum(${allocatable}) - max(${allocatable})) > 0) > 0`;

/** Mixin expression (KSM names) → the same question on our names; `identity` is what our `name` label is there. */
const PAIRS: ReadonlyArray<{ alert: string; identity?: string; ksm: string; k8s: string }> = [
  {
    alert: 'KubePodCrashLooping',
    identity: 'pod',
    ksm: `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", ${S}}[5m]) >= 1`,
    k8s: `max_over_time(k8s_pod_status_containerStatuses_state_waiting_reason{reason="CrashLoopBackOff", ${K}}[5m]) >= 1`,
  },
  {
    alert: 'KubePodNotReady',
    identity: 'pod',
    ksm: `sum by (namespace, pod, job, cluster) (
        max by(namespace, pod, job, cluster) (
          kube_pod_status_phase{${S}, phase=~"Pending|Unknown"}
          or
          (
            kube_pod_status_phase{${S}, phase="Running"} == 1
            and on(namespace, pod, cluster)
            kube_pod_status_ready{${S}, condition="true"} == 0
          )
        ) * on(namespace, pod, cluster) group_left() topk by(namespace, pod, cluster) (
          1, max by(namespace, pod, owner_kind, cluster) (kube_pod_owner{owner_kind!="Job"})
        )
      ) > 0
      unless on(namespace, pod, cluster)
      kube_pod_status_reason{${S}, reason="SchedulingGated"} == 1`,
    k8s: `sum by (namespace, name, job) (
        max by (namespace, name, job) (
          k8s_pod_status_phase{${K}, phase=~"Pending|Unknown"}
          or
          (k8s_pod_status_phase{${K}, phase="Running"} == 1 and on (namespace, name) k8s_pod_status_conditions_status{${K}, condition="Ready"} != 1)
        ) * on (namespace, name) group_left() topk by (namespace, name) (
          1, max by (namespace, name, owner_kind) (k8s_pod_owner{${K}, owner_kind!="Job"})
        )
      ) > 0
      unless on (namespace, name)
      k8s_pod_status_conditions_reason{${K}, condition="PodScheduled", reason="SchedulingGated"} == 1`,
  },
  {
    alert: 'KubeDeploymentGenerationMismatch',
    identity: 'deployment',
    ksm: `kube_deployment_status_observed_generation{${S}} != kube_deployment_metadata_generation{${S}}`,
    k8s: `k8s_deployment_status_observedGeneration{${K}} != k8s_deployment_metadata_generation{${K}}`,
  },
  {
    alert: 'KubeDeploymentReplicasMismatch',
    identity: 'deployment',
    ksm: `(kube_deployment_spec_replicas{${S}} > kube_deployment_status_replicas_available{${S}})
      and (changes(kube_deployment_status_replicas_updated{${S}}[10m]) == 0)`,
    k8s: `(k8s_deployment_spec_replicas{${K}} > k8s_deployment_status_availableReplicas{${K}})
      and (changes(k8s_deployment_status_updatedReplicas{${K}}[10m]) == 0)`,
  },
  {
    alert: 'KubeDeploymentRolloutStuck',
    identity: 'deployment',
    ksm: `max by (namespace, deployment) (kube_deployment_status_condition{condition="Progressing", status="false",${S}} != 0)`,
    k8s: `max by (namespace, name) (k8s_deployment_status_conditions_status{condition="Progressing",${K}} == bool 0) == 1`,
  },
  {
    alert: 'KubeContainerWaiting',
    identity: 'pod',
    ksm: `kube_pod_container_status_waiting_reason{reason!="CrashLoopBackOff", ${S}} > 0`,
    k8s: `k8s_pod_status_containerStatuses_state_waiting_reason{reason!="CrashLoopBackOff", ${K}} > 0`,
  },
  {
    alert: 'KubeNodeNotReady',
    identity: 'node',
    ksm: `max by (node) (kube_node_status_condition{${S},condition="Ready",status="true"} == 0
      and on (cluster, node) kube_node_spec_unschedulable{${S}} == 0)`,
    k8s: `max by (name) ((k8s_node_status_conditions_status{${K},condition="Ready"} == bool 1) == 0
      and on (name) k8s_node_spec_unschedulable{${K}} == 0)`,
  },
  {
    alert: 'KubeNodePressure',
    identity: 'node',
    ksm: `max by (node, condition) (kube_node_status_condition{${S},condition=~"(MemoryPressure|DiskPressure|PIDPressure)",status="true"} == 1
      and on (cluster, node) kube_node_spec_unschedulable{${S}} == 0)`,
    k8s: `max by (name, condition) (k8s_node_status_conditions_status{${K},condition=~"(MemoryPressure|DiskPressure|PIDPressure)"} == 1
      and on (name) k8s_node_spec_unschedulable{${K}} == 0)`,
  },
  {
    alert: 'KubeNodeUnreachable',
    identity: 'node',
    ksm: `(kube_node_spec_taint{${S},key="node.kubernetes.io/unreachable",effect="NoSchedule"} unless ignoring(key,value) kube_node_spec_taint{${S},key=~"ToBeDeletedByClusterAutoscaler|cloud.google.com/impending-node-termination|aws-node-termination-handler/spot-itn"}) == 1`,
    k8s: `(k8s_node_spec_taints{${K},key="node.kubernetes.io/unreachable",effect="NoSchedule"} unless ignoring(key,value) k8s_node_spec_taints{${K},key=~"ToBeDeletedByClusterAutoscaler|cloud.google.com/impending-node-termination|aws-node-termination-handler/spot-itn"}) == 1`,
  },
  {
    alert: 'namespace_cpu:kube_pod_container_resource_requests:sum',
    ksm: requestsOf('cpu'),
    k8s: ourRequestsOf('cpu'),
  },
  {
    alert: 'namespace_memory:kube_pod_container_resource_requests:sum',
    ksm: requestsOf('memory'),
    k8s: ourRequestsOf('memory'),
  },
  {
    alert: 'KubeCPUOvercommit',
    ksm: overcommit(requestsOf('cpu'), `kube_node_status_allocatable{resource="cpu", ${S}}`),
    k8s: overcommit(ourRequestsOf('cpu'), `k8s_node_status_allocatable_cpu{${K}}`),
  },
  {
    alert: 'KubeMemoryOvercommit',
    ksm: overcommit(requestsOf('memory'), `kube_node_status_allocatable{resource="memory", ${S}}`),
    k8s: overcommit(ourRequestsOf('memory'), `k8s_node_status_allocatable_memory{${K}}`),
  },
  {
    alert: 'kube_node_status_capacity{resource="pods"} (KubeletTooManyPods)',
    identity: 'node',
    ksm: `max by (cluster, node) (kube_node_status_capacity{${S}, resource="pods"} != 1)`,
    k8s: `max by (name) (k8s_node_status_capacity_pods{${K}} != 1)`,
  },
  {
    alert: 'control-plane nodes (the overcommit rules of non-HA clusters)',
    ksm: `count(max by (node) (kube_node_role{${S}, role="control-plane"}))`,
    k8s: `count(max by (name) (k8s_node_role{${K}, role="control-plane"}))`,
  },
];

interface VectorResult {
  readonly resultType: string;
  readonly result: ReadonlyArray<{ metric: Record<string, string>; value: [number, string] }>;
}

/** The result as `{labels} value` lines: job, instance and uid left out, our `name` under KSM's identity label. */
async function evaluate(prometheus: { url: string; address: string }, expression: string, identity?: string) {
  const data = await prometheusApi<VectorResult>(prometheus, `query?query=${encodeURIComponent(expression)}`);
  return data.result
    .map(({ metric, value }) => {
      const labels = Object.entries(metric)
        .filter(([name]) => !['job', 'instance', 'uid', '__name__'].includes(name))
        .map(([name, text]) => [name === 'name' && identity ? identity : name, text])
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, text]) => `${name}="${text}"`);
      return `{${labels.join(',')}} ${Number(value[1])}`;
    })
    .sort();
}

test('kubernetes-mixin expressions on the ksm names give what the same questions give on our names', async (t) => {
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      for (const node of NODES) api.create(NODE, node);
      for (const pod of PODS) api.create(POD, pod);
      for (const deployment of DEPLOYMENTS) api.create(DEPLOYMENT, deployment);
    },
  });
  const ksm = await startReadyExporter(t, { apiUrl: cluster.apiUrl, config: { metricNames: 'ksm' } });
  const target = (url: string) => new URL(url).host;
  const prometheus = await startPrometheus(
    t,
    {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'k8s', honor_labels: true, static_configs: [{ targets: [target(cluster.exporter.url)] }] },
        { job_name: 'ksm', honor_labels: true, static_configs: [{ targets: [target(ksm.url)] }] },
      ],
    },
    [],
  );
  await eventually(
    async () =>
      (await evaluate(prometheus, 'count by (job) (up == 1)')).length === 2 &&
      (await evaluate(prometheus, 'count(kube_pod_status_phase)')).length === 1 &&
      (await evaluate(prometheus, 'count(k8s_pod_status_phase)')).length === 1,
    'both jobs scraped',
    20_000,
  );
  for (const { alert, identity, ksm: ksmExpression, k8s } of PAIRS) {
    const [onKsm, onOurs] = [
      await evaluate(prometheus, ksmExpression, identity),
      await evaluate(prometheus, k8s, identity),
    ];
    t.not(onKsm.length, 0, `${alert}: the objects make it give something`);
    t.deepEqual(onKsm, onOurs, alert);
  }
});
