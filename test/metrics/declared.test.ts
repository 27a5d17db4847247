import test from 'ava';
import { DECLARED_FIELDS } from '../../src/kinds/declared-fields.js';
import { DEPLOYMENT, type KindSpec, NODE, POD, SERVICE } from '../../src/kinds/table.js';
import { sampleFilter } from '../../src/metrics/cardinality.js';
import {
  compileDeclared,
  type DeclaredConfig,
  metadataLabelNames,
  renderDeclared,
} from '../../src/metrics/declared.js';
import { renderSample, type Sample } from '../../src/metrics/exposition.js';
import { type FlattenLimits, NO_LIMITS, noneDropped } from '../../src/metrics/flatten.js';
import { renderObject } from '../../src/metrics/render.js';

const T = '2026-11-20T10:00:00Z';

/** The declared series of an object, as exposition lines (the flattened ones are not among them). */
function declared(
  kind: KindSpec,
  object: object,
  config: DeclaredConfig = compileDeclared(DECLARED_FIELDS),
  limits: FlattenLimits = NO_LIMITS,
): string[] {
  const samples: Sample[] = [];
  const { metadata } = object as { metadata: { name: string; namespace?: string } };
  const identity = { name: metadata.name, namespace: kind.namespaced ? metadata.namespace : undefined };
  renderDeclared(kind.metricName, identity, object, samples, limits, noneDropped(), config);
  return samples.map((sample) => renderSample(sample).trimEnd());
}

const P = 'name="web-5d4f8b7c9-x2x8k",namespace="shop"';

function replicaSetPod(status: object, spec: object = {}) {
  return {
    metadata: {
      name: 'web-5d4f8b7c9-x2x8k',
      namespace: 'shop',
      uid: 'b1c3',
      labels: { app: 'web', 'pod-template-hash': '5d4f8b7c9' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f8b7c9', uid: 'r1', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      restartPolicy: 'Always',
      serviceAccountName: 'web',
      schedulerName: 'default-scheduler',
      priorityClassName: 'high',
      containers: [{ name: 'app', image: 'web:1' }],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      ...spec,
    },
    status,
  };
}

const phases = (current: string) =>
  ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'].map(
    (phase) => `k8s_pod_status_phase{${P},phase="${phase}"} ${phase === current ? 1 : 0}`,
  );
const states = (list: string, container: string, current: string) =>
  ['running', 'waiting', 'terminated'].map(
    (state) =>
      `k8s_pod_status_${list}_state{${P},container="${container}",state="${state}"} ${state === current ? 1 : 0}`,
  );

const podCases: ReadonlyArray<{ title: string; object: ReturnType<typeof replicaSetPod>; includes: string[] }> = [
  {
    title: 'a crash-looping container: waiting CrashLoopBackOff, last terminated Error',
    object: replicaSetPod({
      phase: 'Running',
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: 'app',
          restartCount: 7,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'panic: boom', finishedAt: T } },
        },
      ],
    }),
    includes: [
      ...phases('Running'),
      ...states('containerStatuses', 'app', 'waiting'),
      `k8s_pod_status_containerStatuses_state_waiting_reason{${P},container="app",reason="CrashLoopBackOff"} 1`,
      `k8s_pod_status_containerStatuses_lastState_terminated_reason{${P},container="app",reason="Error"} 1`,
      `k8s_pod_status_qosClass{${P},qos_class="BestEffort"} 1`,
      `k8s_pod_spec_restartPolicy{${P},restart_policy="Always"} 1`,
    ],
  },
  {
    title: 'an image pull failure',
    object: replicaSetPod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'app',
          state: {
            waiting: { reason: 'ErrImagePull', message: 'pull access denied for web, repository does not exist' },
          },
        },
      ],
    }),
    includes: [
      ...phases('Pending'),
      `k8s_pod_status_containerStatuses_state_waiting_reason{${P},container="app",reason="ErrImagePull"} 1`,
      // The image the spec asks for, which no container status names before a pull succeeds.
      `k8s_pod_spec_containers_image{${P},container="app",image="web:1"} 1`,
    ],
  },
  {
    title: 'OOMKilled in the last state',
    object: replicaSetPod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          restartCount: 1,
          state: { running: { startedAt: T } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: T, finishedAt: T } },
        },
      ],
    }),
    includes: [
      ...states('containerStatuses', 'app', 'running'),
      `k8s_pod_status_containerStatuses_lastState_terminated_reason{${P},container="app",reason="OOMKilled"} 1`,
    ],
  },
  {
    title: 'unschedulable: every node tainted',
    object: replicaSetPod(
      {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.',
          },
        ],
      },
      { nodeName: undefined },
    ),
    includes: [
      ...phases('Pending'),
      `k8s_pod_status_conditions_reason{${P},condition="PodScheduled",reason="Unschedulable"} 1`,
    ],
  },
  {
    title: 'scheduling-gated',
    object: replicaSetPod(
      {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked' },
        ],
      },
      { schedulingGates: [{ name: 'example.com/quota' }] },
    ),
    includes: [`k8s_pod_status_conditions_reason{${P},condition="PodScheduled",reason="SchedulingGated"} 1`],
  },
  {
    title: 'evicted',
    object: replicaSetPod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
      containerStatuses: [
        { name: 'app', state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', finishedAt: T } } },
      ],
    }),
    includes: [
      ...phases('Failed'),
      `k8s_pod_status_reason{${P},reason="Evicted"} 1`,
      ...states('containerStatuses', 'app', 'terminated'),
      `k8s_pod_status_containerStatuses_state_terminated_reason{${P},container="app",reason="ContainerStatusUnknown"} 1`,
    ],
  },
  {
    title: 'a native sidecar: an init container that restarts always, running beside the app',
    object: replicaSetPod(
      {
        phase: 'Running',
        initContainerStatuses: [{ name: 'proxy', started: true, state: { running: { startedAt: T } } }],
        containerStatuses: [{ name: 'app', state: { running: { startedAt: T } } }],
      },
      { initContainers: [{ name: 'proxy', image: 'envoy:1', restartPolicy: 'Always' }] },
    ),
    includes: [
      ...states('initContainerStatuses', 'proxy', 'running'),
      ...states('containerStatuses', 'app', 'running'),
      `k8s_pod_spec_initContainers_image{${P},container="proxy",image="envoy:1"} 1`,
    ],
  },
];

for (const { title, object, includes } of podCases) {
  test(`pod: ${title}`, (t) => {
    const lines = declared(POD, object);
    for (const line of includes) t.true(lines.includes(line), `missing ${line} in\n${lines.join('\n')}`);
    t.false(
      lines.some((line) => /message|panic|back-off|denied|untolerated|low on/.test(line)),
      'no message text',
    );
  });
}

test('pod info, owner, deployment derived from the ReplicaSet name and pod-template-hash, tolerations', (t) => {
  const lines = declared(
    POD,
    replicaSetPod({
      phase: 'Running',
      hostIP: '10.0.1.2',
      podIP: '10.42.0.7',
      podIPs: [{ ip: '10.42.0.7' }, { ip: 'fd00::7' }],
    }),
  );
  t.deepEqual(
    lines.filter((line) => !line.startsWith('k8s_pod_status_') && !line.startsWith('k8s_pod_spec_restartPolicy')),
    [
      `k8s_pod_spec_containers_image{${P},container="app",image="web:1"} 1`,
      `k8s_pod_info{${P},node="node-1",host_ip="10.0.1.2",pod_ip="10.42.0.7",pod_ips="10.42.0.7,fd00::7",priority_class="high",service_account="web",scheduler="default-scheduler",created_by_kind="ReplicaSet",created_by_name="web-5d4f8b7c9",deployment="web"} 1`,
      `k8s_pod_owner{${P},owner_kind="ReplicaSet",owner_name="web-5d4f8b7c9",owner_is_controller="true"} 1`,
      `k8s_pod_spec_tolerations{${P},key="node.kubernetes.io/not-ready",operator="Exists",effect="NoExecute",toleration_seconds="300"} 1`,
      `k8s_pod_spec_tolerations{${P},key="node.kubernetes.io/unreachable",operator="Exists",effect="NoExecute",toleration_seconds="300"} 1`,
    ],
  );
});

const deploymentOf = (ownerName: string, hash: string | undefined) =>
  declared(POD, {
    metadata: {
      name: 'p',
      namespace: 'ns',
      labels: hash === undefined ? {} : { 'pod-template-hash': hash },
      ownerReferences: [{ kind: 'ReplicaSet', name: ownerName, controller: true }],
    },
  }).find((line) => line.startsWith('k8s_pod_info'));

test('the deployment label only where the ReplicaSet name ends in -<pod-template-hash>', (t) => {
  t.regex(deploymentOf('api-v2-7c9d', '7c9d') ?? '', /deployment="api-v2"/);
  t.notRegex(deploymentOf('standalone', undefined) ?? '', /deployment=/);
  t.notRegex(deploymentOf('other-abc', '7c9d') ?? '', /deployment=/);
  t.notRegex(deploymentOf('7c9d', '7c9d') ?? '', /deployment=/);
});

test('a completed Job pod: Succeeded, terminated Completed, owned by its Job, PVC and resource claims', (t) => {
  const lines = declared(POD, {
    metadata: {
      name: 'backup-29012-abcde',
      namespace: 'ops',
      ownerReferences: [{ kind: 'Job', name: 'backup-29012', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      restartPolicy: 'Never',
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'backup-data', readOnly: true } },
        { name: 'tmp', emptyDir: {} },
      ],
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'one-gpu' }],
    },
    status: {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'backup', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'backup-29012-abcde-gpu-x7k' }],
    },
  });
  const id = 'name="backup-29012-abcde",namespace="ops"';
  for (const line of [
    `k8s_pod_status_phase{${id},phase="Succeeded"} 1`,
    `k8s_pod_spec_restartPolicy{${id},restart_policy="Never"} 1`,
    `k8s_pod_status_containerStatuses_state_terminated_reason{${id},container="backup",reason="Completed"} 1`,
    `k8s_pod_info{${id},created_by_kind="Job",created_by_name="backup-29012"} 1`,
    `k8s_pod_owner{${id},owner_kind="Job",owner_name="backup-29012",owner_is_controller="true"} 1`,
    `k8s_pod_spec_volumes_persistentVolumeClaim{${id},volume="data",persistentvolumeclaim="backup-data"} 1`,
    `k8s_pod_spec_resourceClaims{${id},resource_claim="gpu",resource_claim_template_name="one-gpu"} 1`,
    `k8s_pod_status_resourceClaimStatuses{${id},resource_claim="gpu",resource_claim_name="backup-29012-abcde-gpu-x7k"} 1`,
  ])
    t.true(lines.includes(line), `missing ${line} in\n${lines.join('\n')}`);
  t.is(lines.filter((line) => line.startsWith('k8s_pod_spec_volumes_')).length, 1, 'volumes without a claim: none');
});

function aNode(name: string, spec: object, conditions: object[], labels: Record<string, string> = {}) {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: {
      podCIDR: '10.244.1.0/24',
      podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'],
      providerID: `aws:///eu-west-1a/i-0${name}`,
      ...spec,
    },
    status: {
      conditions,
      addresses: [
        { type: 'InternalIP', address: '10.0.1.2' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kernelVersion: '6.1.0-28-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
        machineID: 'ec2aa1b2',
        systemUUID: 'ec2aa1b2-0000',
        bootID: 'f00d',
      },
    },
  };
}

test('a cordoned, tainted control-plane node: unschedulable 1, taints, roles, info', (t) => {
  const node = aNode(
    'cp-1',
    {
      unschedulable: true,
      taints: [
        { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: T },
      ],
    },
    [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': 'true' },
  );
  t.deepEqual(declared(NODE, node), [
    'k8s_node_status_conditions_reason{name="cp-1",condition="Ready",reason="KubeletReady"} 1',
    'k8s_node_info{name="cp-1",kernel_version="6.1.0-28-amd64",os_image="Debian GNU/Linux 12 (bookworm)",container_runtime_version="containerd://1.7.24",kubelet_version="v1.32.0",kube_proxy_version="v1.32.0",operating_system="linux",architecture="amd64",provider_id="aws:///eu-west-1a/i-0cp-1",internal_ip="10.0.1.2",pod_cidr="10.244.1.0/24",pod_cidrs="10.244.1.0/24,fd00:1::/64"} 1',
    'k8s_node_status_addresses{name="cp-1",type="InternalIP",address="10.0.1.2"} 1',
    'k8s_node_status_addresses{name="cp-1",type="Hostname",address="cp-1"} 1',
    'k8s_node_spec_taints{name="cp-1",key="node-role.kubernetes.io/control-plane",effect="NoSchedule"} 1',
    'k8s_node_spec_taints{name="cp-1",key="node.kubernetes.io/unschedulable",effect="NoSchedule"} 1',
    'k8s_node_role{name="cp-1",role="control-plane"} 1',
    'k8s_node_role{name="cp-1",role="etcd"} 1',
  ]);
  // spec.unschedulable is present: the flattener exports it, no zero is added.
  const all = renderObject(NODE, { name: 'cp-1' }, node, {}).map((sample) => renderSample(sample).trimEnd());
  t.true(all.includes('k8s_node_spec_unschedulable{name="cp-1"} 1'));
  t.is(all.filter((line) => line.startsWith('k8s_node_spec_unschedulable')).length, 1);
});

test('an unreachable node: Ready Unknown with its reason, the unreachable taints, unschedulable 0 when absent', (t) => {
  const node = aNode(
    'worker-7',
    {
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: T },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T },
      ],
    },
    [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      },
      { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown' },
    ],
  );
  const all = renderObject(NODE, { name: 'worker-7' }, node, {}).map((sample) => renderSample(sample).trimEnd());
  for (const line of [
    'k8s_node_status_conditions_status{name="worker-7",condition="Ready"} -1',
    'k8s_node_status_conditions_reason{name="worker-7",condition="Ready",reason="NodeStatusUnknown"} 1',
    'k8s_node_status_conditions_reason{name="worker-7",condition="MemoryPressure",reason="NodeStatusUnknown"} 1',
    'k8s_node_spec_taints{name="worker-7",key="node.kubernetes.io/unreachable",effect="NoSchedule"} 1',
    'k8s_node_spec_taints{name="worker-7",key="node.kubernetes.io/unreachable",effect="NoExecute"} 1',
    'k8s_node_spec_unschedulable{name="worker-7"} 0',
  ])
    t.true(all.includes(line), `missing ${line}`);
  t.false(all.some((line) => /machine|boot|system_uuid|Kubelet stopped/.test(line)));
});

const S = (name: string) => `name="${name}",namespace="shop"`;
const types = (name: string, current: string) =>
  ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].map(
    (type) => `k8s_service_spec_type{${S(name)},type="${type}"} ${type === current ? 1 : 0}`,
  );

const serviceCases: ReadonlyArray<{ name: string; spec: object; status?: object; expected: string[] }> = [
  {
    name: 'api',
    spec: { type: 'ClusterIP', clusterIP: '10.96.4.1', clusterIPs: ['10.96.4.1'] },
    expected: [
      ...types('api', 'ClusterIP'),
      `k8s_service_info{${S('api')},type="ClusterIP",cluster_ip="10.96.4.1",cluster_ips="10.96.4.1"} 1`,
    ],
  },
  {
    name: 'db-headless',
    spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] },
    expected: [
      ...types('db-headless', 'ClusterIP'),
      `k8s_service_info{${S('db-headless')},type="ClusterIP",cluster_ip="None",cluster_ips="None"} 1`,
    ],
  },
  {
    name: 'web',
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.4.2',
      externalTrafficPolicy: 'Local',
      externalIPs: ['192.0.2.10', '192.0.2.11'],
    },
    expected: [
      ...types('web', 'NodePort'),
      `k8s_service_info{${S('web')},type="NodePort",cluster_ip="10.96.4.2",external_traffic_policy="Local"} 1`,
      `k8s_service_spec_externalIPs{${S('web')},external_ip="192.0.2.10"} 1`,
      `k8s_service_spec_externalIPs{${S('web')},external_ip="192.0.2.11"} 1`,
    ],
  },
  {
    name: 'shop',
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.96.4.3',
      loadBalancerIP: '198.51.100.7',
      externalTrafficPolicy: 'Cluster',
    },
    status: {
      loadBalancer: { ingress: [{ ip: '198.51.100.7', ipMode: 'VIP' }, { hostname: 'shop.elb.example.com' }] },
    },
    expected: [
      ...types('shop', 'LoadBalancer'),
      `k8s_service_info{${S('shop')},type="LoadBalancer",cluster_ip="10.96.4.3",load_balancer_ip="198.51.100.7",external_traffic_policy="Cluster"} 1`,
      `k8s_service_status_loadBalancer_ingress{${S('shop')},ip="198.51.100.7"} 1`,
      `k8s_service_status_loadBalancer_ingress{${S('shop')},hostname="shop.elb.example.com"} 1`,
    ],
  },
  {
    name: 'mail',
    spec: { type: 'ExternalName', externalName: 'smtp.example.com' },
    expected: [
      ...types('mail', 'ExternalName'),
      `k8s_service_info{${S('mail')},type="ExternalName",external_name="smtp.example.com"} 1`,
    ],
  },
];

for (const { name, spec, status, expected } of serviceCases) {
  test(`service ${name}: ${(spec as { type: string }).type}`, (t) => {
    t.deepEqual(declared(SERVICE, { metadata: { name, namespace: 'shop' }, spec, status }), expected);
  });
}

const D = 'name="web",namespace="shop"';

test('a paused deployment: strategy, condition reasons, paused 1 from the field', (t) => {
  const deployment = {
    metadata: { name: 'web', namespace: 'shop', generation: 4 },
    spec: { replicas: 3, paused: true, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } },
    status: {
      observedGeneration: 4,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' },
      ],
    },
  };
  const all = renderObject(DEPLOYMENT, { name: 'web', namespace: 'shop' }, deployment, {}).map((sample) =>
    renderSample(sample).trimEnd(),
  );
  for (const line of [
    `k8s_deployment_spec_paused{${D}} 1`,
    `k8s_deployment_spec_strategy_type{${D},type="RollingUpdate"} 1`,
    `k8s_deployment_spec_strategy_type{${D},type="Recreate"} 0`,
    `k8s_deployment_status_conditions_reason{${D},condition="Available",reason="MinimumReplicasAvailable"} 1`,
    `k8s_deployment_status_conditions_reason{${D},condition="Progressing",reason="DeploymentPaused"} 1`,
    `k8s_deployment_status_unavailableReplicas{${D}} 0`,
  ])
    t.true(all.includes(line), `missing ${line}`);
  const names = all.map((line) => line.slice(0, line.indexOf('{') + 1) + line.slice(line.indexOf('}')));
  t.is(new Set(all).size, all.length, 'no series twice');
  t.is(names.filter((name) => name.startsWith('k8s_deployment_spec_paused{')).length, 1);
});

test('a deployment scaled to zero: the omitted counters are 0, so spec_replicas != status_availableReplicas holds', (t) => {
  const deployment = {
    metadata: { name: 'web', namespace: 'shop', generation: 2 },
    spec: { replicas: 0, strategy: { type: 'Recreate' } },
    status: {
      observedGeneration: 2,
      conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
    },
  };
  const all = renderObject(DEPLOYMENT, { name: 'web', namespace: 'shop' }, deployment, {}).map((sample) =>
    renderSample(sample).trimEnd(),
  );
  for (const field of ['replicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'updatedReplicas'])
    t.true(all.includes(`k8s_deployment_status_${field}{${D}} 0`), field);
  t.true(all.includes(`k8s_deployment_spec_paused{${D}} 0`));
  t.true(all.includes(`k8s_deployment_spec_replicas{${D}} 0`));
  t.true(all.includes(`k8s_deployment_status_observedGeneration{${D}} 2`));
  t.is(all.filter((line) => line.startsWith('k8s_deployment_status_observedGeneration')).length, 1);
  t.true(all.includes(`k8s_deployment_spec_strategy_type{${D},type="Recreate"} 1`));
});

test('a new deployment without status: every declared counter is 0', (t) => {
  const lines = declared(DEPLOYMENT, { metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2 } });
  t.true(lines.includes(`k8s_deployment_status_availableReplicas{${D}} 0`));
  t.true(lines.includes(`k8s_deployment_status_observedGeneration{${D}} 0`));
});

test('label length: a too-long open value drops its series, a too-long info label is left out; both counted', (t) => {
  const limits = { ...NO_LIMITS, maxLabelValueLength: 12 };
  const pod = replicaSetPod({
    phase: 'Running',
    reason: 'AVeryLongReasonIndeed',
    containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
  });
  const samples: Sample[] = [];
  const dropped = noneDropped();
  renderDeclared(
    'pod',
    { name: 'p', namespace: 'ns' },
    pod,
    samples,
    limits,
    dropped,
    compileDeclared(DECLARED_FIELDS),
  );
  const lines = samples.map((sample) => renderSample(sample).trimEnd());
  t.false(lines.some((line) => line.includes('AVeryLong')));
  t.false(lines.some((line) => line.includes('CrashLoopBackOff')));
  t.true(lines.some((line) => line.startsWith('k8s_pod_info{name="p",namespace="ns",node="node-1",')));
  t.false(lines.some((line) => line.includes('default-scheduler')));
  t.true(dropped.label_length >= 3);
});

test('the series limit counts flattened and declared series together', (t) => {
  const pod = replicaSetPod({ phase: 'Running' });
  const dropped = noneDropped();
  const samples = renderObject(POD, { name: 'p', namespace: 'ns' }, pod, {
    limits: { ...NO_LIMITS, maxSeriesPerObject: 10 },
    onDropped: (_kind, reason, count) => {
      dropped[reason] += count;
    },
  });
  t.true(samples.filter((sample) => sample.name !== 'k8s_pod_container_info').length <= 10);
  t.true(dropped.series_limit > 0);
});

test('opt-in labels and annotations: only for kinds asked, KSM names, clashes numbered', (t) => {
  const config = compileDeclared(
    {},
    {
      labels: new Map([
        ['pod', ['app', 'team']],
        ['node', ['*']],
      ]),
      annotations: new Map([['pod', ['owner.example.com/team']]]),
    },
  );
  const pod = {
    metadata: {
      name: 'p',
      namespace: 'ns',
      labels: { app: 'web', team: 'shop', version: '1' },
      annotations: { 'owner.example.com/team': 'shop', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
  };
  t.deepEqual(declared(POD, pod, config), [
    'k8s_pod_labels{name="p",namespace="ns",label_app="web",label_team="shop"} 1',
    'k8s_pod_annotations{name="p",namespace="ns",annotation_owner_example_com_team="shop"} 1',
  ]);
  t.deepEqual(
    declared(
      NODE,
      { metadata: { name: 'n', labels: { 'topology.kubernetes.io/zone': 'a', 'node-role.kubernetes.io/worker': '' } } },
      config,
    ),
    ['k8s_node_labels{name="n",label_topology_kubernetes_io_zone="a"} 1'],
  );
  t.deepEqual(declared(SERVICE, { metadata: { name: 's', namespace: 'ns', labels: { app: 'x' } } }, config), []);
  t.deepEqual(metadataLabelNames('label', ['a-b', 'a.b', 'a_b', 'appName']), [
    'label_a_b_conflict1',
    'label_a_b_conflict2',
    'label_a_b_conflict3',
    'label_app_name',
  ]);
});

test('every built-in family name and label set', (t) => {
  const config = compileDeclared(DECLARED_FIELDS);
  const identity = (kind: string) => (kind === 'node' ? 'name' : 'name,namespace');
  const families = [...config.fields].flatMap(([kind, compiled]) => [
    ...compiled.stateSets.map(
      (set) =>
        `${set.name}{${[identity(kind), ...set.listLabels.filter(Boolean), set.label].join(',')}}${set.closed ? ` ${set.closed.map(([value]) => value).join('|')}` : ''}`,
    ),
    ...compiled.info.map(
      (info) => `${info.name}{${[identity(kind), ...info.labels.map((label) => label.name)].join(',')}}`,
    ),
    ...compiled.keys.map(
      (keys) => `${keys.name}{${[identity(kind), keys.label, keys.valueLabel].filter(Boolean).join(',')}}`,
    ),
    ...compiled.percents.map((percent) => `${percent.name}{${identity(kind)}} percentage scaled`),
    ...compiled.zeros.map((zero) => `${zero.name}{${identity(kind)}} 0 when absent`),
  ]);
  t.deepEqual(families, [
    'k8s_pod_status_phase{name,namespace,phase} Pending|Running|Succeeded|Failed|Unknown',
    'k8s_pod_status_reason{name,namespace,reason}',
    'k8s_pod_status_qosClass{name,namespace,qos_class} Guaranteed|Burstable|BestEffort',
    'k8s_pod_spec_restartPolicy{name,namespace,restart_policy}',
    'k8s_pod_spec_containers_image{name,namespace,container,image}',
    'k8s_pod_spec_initContainers_image{name,namespace,container,image}',
    'k8s_pod_status_containerStatuses_state{name,namespace,container,state} running|waiting|terminated',
    'k8s_pod_status_containerStatuses_state_waiting_reason{name,namespace,container,reason}',
    'k8s_pod_status_containerStatuses_state_terminated_reason{name,namespace,container,reason}',
    'k8s_pod_status_containerStatuses_lastState_terminated_reason{name,namespace,container,reason}',
    'k8s_pod_status_initContainerStatuses_state{name,namespace,container,state} running|waiting|terminated',
    'k8s_pod_status_initContainerStatuses_state_waiting_reason{name,namespace,container,reason}',
    'k8s_pod_status_initContainerStatuses_state_terminated_reason{name,namespace,container,reason}',
    'k8s_pod_status_initContainerStatuses_lastState_terminated_reason{name,namespace,container,reason}',
    'k8s_pod_status_conditions_reason{name,namespace,condition,reason}',
    'k8s_pod_info{name,namespace,node,host_ip,pod_ip,pod_ips,priority_class,service_account,scheduler,runtime_class,host_network,created_by_kind,created_by_name,deployment}',
    'k8s_pod_owner{name,namespace,owner_kind,owner_name,owner_is_controller}',
    'k8s_pod_spec_tolerations{name,namespace,key,operator,value,effect,toleration_seconds}',
    'k8s_pod_spec_volumes_persistentVolumeClaim{name,namespace,volume,persistentvolumeclaim}',
    'k8s_pod_spec_resourceClaims{name,namespace,resource_claim,resource_claim_name,resource_claim_template_name}',
    'k8s_pod_status_resourceClaimStatuses{name,namespace,resource_claim,resource_claim_name}',
    'k8s_pod_spec_nodeSelector{name,namespace,key,value}',
    'k8s_node_status_conditions_reason{name,condition,reason}',
    'k8s_node_info{name,kernel_version,os_image,container_runtime_version,kubelet_version,kube_proxy_version,operating_system,architecture,provider_id,internal_ip,pod_cidr,pod_cidrs}',
    'k8s_node_status_addresses{name,type,address}',
    'k8s_node_spec_taints{name,key,value,effect}',
    'k8s_node_role{name,role}',
    'k8s_node_spec_unschedulable{name} 0 when absent',
    'k8s_deployment_spec_strategy_type{name,namespace,type} RollingUpdate|Recreate',
    'k8s_deployment_status_conditions_reason{name,namespace,condition,reason}',
    'k8s_deployment_owner{name,namespace,owner_kind,owner_name,owner_is_controller}',
    'k8s_deployment_spec_strategy_rollingUpdate_maxSurge{name,namespace} percentage scaled',
    'k8s_deployment_spec_strategy_rollingUpdate_maxUnavailable{name,namespace} percentage scaled',
    'k8s_deployment_spec_paused{name,namespace} 0 when absent',
    'k8s_deployment_status_replicas{name,namespace} 0 when absent',
    'k8s_deployment_status_readyReplicas{name,namespace} 0 when absent',
    'k8s_deployment_status_availableReplicas{name,namespace} 0 when absent',
    'k8s_deployment_status_unavailableReplicas{name,namespace} 0 when absent',
    'k8s_deployment_status_updatedReplicas{name,namespace} 0 when absent',
    'k8s_deployment_status_observedGeneration{name,namespace} 0 when absent',
    'k8s_service_spec_type{name,namespace,type} ClusterIP|NodePort|LoadBalancer|ExternalName',
    'k8s_service_info{name,namespace,type,cluster_ip,cluster_ips,external_name,load_balancer_ip,external_traffic_policy}',
    'k8s_service_spec_externalIPs{name,namespace,external_ip}',
    'k8s_service_status_loadBalancer_ingress{name,namespace,ip,hostname}',
  ]);
});

test('the allow and deny lists and the per-kind limit apply to declared families', (t) => {
  const pod = replicaSetPod({ phase: 'Running', qosClass: 'Burstable' });
  const dropped: string[] = [];
  const render = (rules: Parameters<typeof sampleFilter>[0]) =>
    renderObject(POD, { name: 'p', namespace: 'ns' }, pod, {
      filterSamples: sampleFilter(rules, (_kind, reason, count) => dropped.push(`${reason}:${count}`)),
    }).map((sample) => sample.name);
  const denied = render({ allow: [], deny: ['k8s_pod_status_phase', 'k8s_pod_info'], seriesLimits: new Map() });
  t.false(denied.includes('k8s_pod_status_phase'));
  t.false(denied.includes('k8s_pod_info'));
  t.true(denied.includes('k8s_pod_status_qosClass'));
  t.deepEqual(dropped, ['denied:6']);
  const allowed = render({ allow: ['k8s_pod_status_qosClass', 'k8s_pod_owner'], deny: [], seriesLimits: new Map() });
  t.deepEqual(new Set(allowed), new Set(['k8s_pod_status_qosClass', 'k8s_pod_owner']));
  t.is(render({ allow: [], deny: [], seriesLimits: new Map([['pod', 3]]) }).length, 3);
});

const rollingUpdate = (replicas: number, maxSurge: number | string, maxUnavailable: number | string) => ({
  metadata: { name: 'web', namespace: 'shop' },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
});

const rollingUpdateCases: ReadonlyArray<[replicas: number, surge: number | string, unavailable: number | string]> = [
  [3, '25%', '25%'],
  [10, '30%', '10%'],
  [10, 2, '0%'],
  [4, '100%', 1],
  [0, '25%', '25%'],
];

// Kubernetes scales a percentage against spec.replicas, the surge rounded up and the unavailability down.
const expectedRollingUpdate = [
  [1, 0],
  [3, 1],
  [2, 0],
  [4, 1],
  [0, 0],
];

rollingUpdateCases.forEach(([replicas, surge, unavailable], index) => {
  test(`rolling update of ${replicas} replicas, maxSurge ${surge}, maxUnavailable ${unavailable}: one series each`, (t) => {
    const all = renderObject(
      DEPLOYMENT,
      { name: 'web', namespace: 'shop' },
      rollingUpdate(replicas, surge, unavailable),
      {},
    )
      .map((sample) => renderSample(sample).trimEnd())
      .filter((line) => line.startsWith('k8s_deployment_spec_strategy_rollingUpdate_'));
    const [expectedSurge, expectedUnavailable] = expectedRollingUpdate[index];
    t.deepEqual(all.sort(), [
      `k8s_deployment_spec_strategy_rollingUpdate_maxSurge{${D}} ${expectedSurge}`,
      `k8s_deployment_spec_strategy_rollingUpdate_maxUnavailable{${D}} ${expectedUnavailable}`,
    ]);
  });
});

test('rolling update: a value that is neither an integer nor a percentage, or no replicas, has no series', (t) => {
  const odd = { ...rollingUpdate(3, 'lots', '12.5%'), spec: { strategy: { rollingUpdate: { maxSurge: '25%' } } } };
  t.deepEqual(
    declared(DEPLOYMENT, rollingUpdate(3, 'lots', '12.5%')).filter((line) => line.includes('rollingUpdate')),
    [],
  );
  t.deepEqual(
    declared(DEPLOYMENT, odd).filter((line) => line.includes('rollingUpdate')),
    [],
  );
});

test('a pod node selector: one series per key, its value as a label', (t) => {
  const pod = replicaSetPod({ phase: 'Pending' }, { nodeSelector: { disktype: 'ssd', 'kubernetes.io/os': 'linux' } });
  t.deepEqual(
    declared(POD, pod).filter((line) => line.startsWith('k8s_pod_spec_nodeSelector')),
    [
      `k8s_pod_spec_nodeSelector{${P},key="disktype",value="ssd"} 1`,
      `k8s_pod_spec_nodeSelector{${P},key="kubernetes.io/os",value="linux"} 1`,
    ],
  );
  const limits = { ...NO_LIMITS, maxLabelValueLength: 20 };
  const long = replicaSetPod({}, { nodeSelector: { disktype: 'x'.repeat(21) } });
  t.deepEqual(
    declared(POD, long, compileDeclared(DECLARED_FIELDS), limits).filter((line) => line.includes('nodeSelector')),
    [],
    'a value longer than --max-label-length drops the series',
  );
});
