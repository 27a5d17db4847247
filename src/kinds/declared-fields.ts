/**
 * Declared fields: the strings a kind may export, as data (README "Declared fields"). The flattener exports numbers
 * only; these declarations say which string fields leave the exporter, and how: state sets of enumerated values,
 * info series carrying string fields as labels, one series per key of a map, and counters exported as 0 when the
 * API leaves them out. The same format is read from `--fields-config` (src/config/fields-config.ts) for any kind.
 *
 * Paths are the API's JSON keys joined by `.`; `key[]` walks every element of a list, `key[field=value]` the first
 * element whose field has that value. A label's source is a path, `.` for the element itself, or `@derivation`.
 */

/** One series per value of an enumerated string field. */
export interface StateSetDeclaration {
  /** The field; its last key is a plain key. */
  readonly path: string;
  /** The label carrying the value. */
  readonly label: string;
  /** A closed set: every value, 1 for the current and 0 for the rest. Absent: open, the current value only. */
  readonly values?: readonly string[];
  /** `key`: the value is the name of the key the field's map holds (a container's state: running, waiting, ...). */
  readonly of?: 'value' | 'key';
}

/** An info series: value 1, string fields as labels. */
export interface InfoDeclaration {
  /** The family is `k8s_<kind>_<name>`. */
  readonly name: string;
  /** A list path: one series per element, label sources read from the element. Absent: one series per object. */
  readonly each?: string;
  /** Only elements (or objects) with a value at this path have a series. */
  readonly when?: string;
  /** Label name → source: a path, `.` (the element itself) or `@derivation` (src/metrics/declared.ts DERIVATIONS). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * One series per key of a map that starts with a prefix, the rest of the key as a label (node roles from
 * `node-role.kubernetes.io/<role>` labels), and optionally the key's value as another (a pod's node selector).
 */
export interface KeysDeclaration {
  /** The family is `k8s_<kind>_<name>`. */
  readonly name: string;
  /** The map, e.g. `metadata.labels`. */
  readonly path: string;
  /** Only keys starting with this; absent: every key. */
  readonly prefix?: string;
  readonly label: string;
  /** The label carrying the key's value; absent: the value is not exported. */
  readonly valueLabel?: string;
}

/**
 * An int-or-percent field (a rolling update's `maxSurge`, `maxUnavailable`) as the number it stands for, the way
 * Kubernetes reads it: a percentage of another field's value, rounded up or down. An integer is exported by the
 * flattener under the same name; this adds the series when the field is a percentage.
 */
export interface PercentDeclaration {
  readonly path: string;
  /** The field the percentage is of (`spec.replicas`). */
  readonly of: string;
  readonly round: 'up' | 'down';
}

export interface KindFields {
  readonly stateSets?: readonly StateSetDeclaration[];
  readonly info?: readonly InfoDeclaration[];
  readonly keys?: readonly KeysDeclaration[];
  readonly percents?: readonly PercentDeclaration[];
  /** Fields exported as 0 when the API leaves them out (it omits zero counters and false flags). No lists. */
  readonly zeros?: readonly string[];
}

const CONDITION_REASON: StateSetDeclaration = { path: 'status.conditions[].reason', label: 'reason' };

const CONTAINER_STATES = ['running', 'waiting', 'terminated'];

/** A container status list's state, waiting and terminated reasons and last termination reason. */
function containerStates(list: string): StateSetDeclaration[] {
  return [
    { path: `status.${list}[].state`, label: 'state', values: CONTAINER_STATES, of: 'key' },
    { path: `status.${list}[].state.waiting.reason`, label: 'reason' },
    { path: `status.${list}[].state.terminated.reason`, label: 'reason' },
    { path: `status.${list}[].lastState.terminated.reason`, label: 'reason' },
  ];
}

export const POD_FIELDS: KindFields = {
  stateSets: [
    { path: 'status.phase', label: 'phase', values: ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] },
    { path: 'status.reason', label: 'reason' },
    { path: 'status.qosClass', label: 'qos_class', values: ['Guaranteed', 'Burstable', 'BestEffort'] },
    { path: 'spec.restartPolicy', label: 'restart_policy' },
    { path: 'spec.containers[].image', label: 'image' },
    { path: 'spec.initContainers[].image', label: 'image' },
    ...containerStates('containerStatuses'),
    ...containerStates('initContainerStatuses'),
    CONDITION_REASON,
  ],
  info: [
    {
      name: 'info',
      labels: {
        node: 'spec.nodeName',
        host_ip: 'status.hostIP',
        pod_ip: 'status.podIP',
        pod_ips: 'status.podIPs[].ip',
        priority_class: 'spec.priorityClassName',
        service_account: 'spec.serviceAccountName',
        scheduler: 'spec.schedulerName',
        runtime_class: 'spec.runtimeClassName',
        host_network: 'spec.hostNetwork',
        created_by_kind: '@controllerKind',
        created_by_name: '@controllerName',
        deployment: '@deployment',
      },
    },
    {
      name: 'owner',
      each: 'metadata.ownerReferences[]',
      labels: { owner_kind: 'kind', owner_name: 'name', owner_is_controller: 'controller' },
    },
    {
      name: 'spec_tolerations',
      each: 'spec.tolerations[]',
      labels: {
        key: 'key',
        operator: 'operator',
        value: 'value',
        effect: 'effect',
        toleration_seconds: 'tolerationSeconds',
      },
    },
    {
      name: 'spec_volumes_persistentVolumeClaim',
      each: 'spec.volumes[]',
      when: 'persistentVolumeClaim.claimName',
      labels: { volume: 'name', persistentvolumeclaim: 'persistentVolumeClaim.claimName' },
    },
    {
      name: 'spec_resourceClaims',
      each: 'spec.resourceClaims[]',
      labels: {
        resource_claim: 'name',
        resource_claim_name: 'resourceClaimName',
        resource_claim_template_name: 'resourceClaimTemplateName',
      },
    },
    {
      name: 'status_resourceClaimStatuses',
      each: 'status.resourceClaimStatuses[]',
      labels: { resource_claim: 'name', resource_claim_name: 'resourceClaimName' },
    },
  ],
  keys: [{ name: 'spec_nodeSelector', path: 'spec.nodeSelector', label: 'key', valueLabel: 'value' }],
};

export const NODE_FIELDS: KindFields = {
  stateSets: [CONDITION_REASON],
  info: [
    {
      name: 'info',
      labels: {
        kernel_version: 'status.nodeInfo.kernelVersion',
        os_image: 'status.nodeInfo.osImage',
        container_runtime_version: 'status.nodeInfo.containerRuntimeVersion',
        kubelet_version: 'status.nodeInfo.kubeletVersion',
        kube_proxy_version: 'status.nodeInfo.kubeProxyVersion',
        operating_system: 'status.nodeInfo.operatingSystem',
        architecture: 'status.nodeInfo.architecture',
        provider_id: 'spec.providerID',
        internal_ip: 'status.addresses[type=InternalIP].address',
        pod_cidr: 'spec.podCIDR',
        pod_cidrs: 'spec.podCIDRs[]',
      },
    },
    { name: 'status_addresses', each: 'status.addresses[]', labels: { type: 'type', address: 'address' } },
    {
      name: 'spec_taints',
      each: 'spec.taints[]',
      labels: { key: 'key', value: 'value', effect: 'effect' },
    },
  ],
  keys: [{ name: 'role', path: 'metadata.labels', prefix: 'node-role.kubernetes.io/', label: 'role' }],
  zeros: ['spec.unschedulable'],
};

export const DEPLOYMENT_FIELDS: KindFields = {
  stateSets: [{ path: 'spec.strategy.type', label: 'type', values: ['RollingUpdate', 'Recreate'] }, CONDITION_REASON],
  info: [
    {
      name: 'owner',
      each: 'metadata.ownerReferences[]',
      labels: { owner_kind: 'kind', owner_name: 'name', owner_is_controller: 'controller' },
    },
  ],
  // Kubernetes rounds a surge up and an unavailability down (intstr.GetScaledValueFromIntOrPercent).
  percents: [
    { path: 'spec.strategy.rollingUpdate.maxSurge', of: 'spec.replicas', round: 'up' },
    { path: 'spec.strategy.rollingUpdate.maxUnavailable', of: 'spec.replicas', round: 'down' },
  ],
  zeros: [
    'spec.paused',
    'status.replicas',
    'status.readyReplicas',
    'status.availableReplicas',
    'status.unavailableReplicas',
    'status.updatedReplicas',
    'status.observedGeneration',
  ],
};

export const SERVICE_FIELDS: KindFields = {
  stateSets: [{ path: 'spec.type', label: 'type', values: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] }],
  info: [
    {
      name: 'info',
      labels: {
        type: 'spec.type',
        cluster_ip: 'spec.clusterIP',
        cluster_ips: 'spec.clusterIPs[]',
        external_name: 'spec.externalName',
        load_balancer_ip: 'spec.loadBalancerIP',
        external_traffic_policy: 'spec.externalTrafficPolicy',
      },
    },
    { name: 'spec_externalIPs', each: 'spec.externalIPs[]', labels: { external_ip: '.' } },
    {
      name: 'status_loadBalancer_ingress',
      each: 'status.loadBalancer.ingress[]',
      labels: { ip: 'ip', hostname: 'hostname' },
    },
  ],
};

/** The built-in declarations, by kind (metric name). `--fields-config` replaces a kind's entry or adds one. */
export const DECLARED_FIELDS: Readonly<Record<string, KindFields>> = {
  pod: POD_FIELDS,
  node: NODE_FIELDS,
  deployment: DEPLOYMENT_FIELDS,
  service: SERVICE_FIELDS,
};
