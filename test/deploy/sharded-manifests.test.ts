/** k8s/sharded/: the exporter as an auto-sharded StatefulSet, on top of k8s/00..03. */
import { join } from 'node:path';
import test from 'ava';
import { parseConfig } from '../../src/config/exporter.js';
import { shardingOf } from '../../src/kube/sharding.js';
import { apiFieldProblems } from '../support/assertions/api-fields.js';
import { K8S_DIR, loadManifests, objectOfKind } from '../support/harness/manifests.js';

const base = loadManifests();
const sharded = loadManifests(join(K8S_DIR, 'sharded'));
const statefulSet = objectOfKind(sharded, 'StatefulSet');
const container = statefulSet.spec.template.spec.containers[0];

test('k8s/sharded/ holds a Role and its binding, a headless Service and a StatefulSet, all valid API objects', (t) => {
  t.deepEqual(
    sharded.map(({ object }) => object.kind),
    ['Role', 'RoleBinding', 'Service', 'StatefulSet'],
  );
  for (const { file, object } of sharded) {
    t.deepEqual(apiFieldProblems(object), [], file);
    t.is(object.metadata.namespace, objectOfKind(base, 'Namespace').metadata.name, file);
  }
});

test("the StatefulSet's pods are the Deployment's, plus the pod name and namespace for auto-sharding", (t) => {
  const deploymentTemplate = objectOfKind(base, 'Deployment').spec.template;
  const { env, ...rest } = container;
  t.deepEqual(
    { ...statefulSet.spec.template, spec: { ...statefulSet.spec.template.spec, containers: [rest] } },
    deploymentTemplate,
  );
  t.deepEqual(env, [
    { name: 'KUBE_API_EXPORTER_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'KUBE_API_EXPORTER_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ]);
});

test('each pod shards itself by the ordinal in its name, over this StatefulSet', (t) => {
  const { name, namespace } = statefulSet.metadata;
  const parsed = parseConfig(container.args, {
    KUBE_API_EXPORTER_POD: `${name}-2`,
    KUBE_API_EXPORTER_POD_NAMESPACE: namespace!,
  });
  if (parsed.action !== 'run') return t.fail('args must run the exporter');
  t.deepEqual(shardingOf(parsed.config.sharding), { mode: 'statefulset', namespace, statefulSet: name, ordinal: 2 });
  t.true(statefulSet.spec.replicas > 1);
});

test('the headless Service governs the StatefulSet and selects its pods', (t) => {
  const service = objectOfKind(sharded, 'Service');
  t.is(statefulSet.spec.serviceName, service.metadata.name);
  t.is(service.spec.clusterIP, 'None');
  const labels = statefulSet.spec.template.metadata.labels;
  t.true(Object.entries(service.spec.selector).every(([key, value]) => labels[key] === value));
  t.deepEqual(statefulSet.spec.selector.matchLabels, service.spec.selector);
  t.is(service.spec.ports[0].targetPort, container.ports[0].name);
});

test('the Role lets the service account read only its own StatefulSet', (t) => {
  const role = objectOfKind(sharded, 'Role');
  const binding = objectOfKind(sharded, 'RoleBinding');
  const account = objectOfKind(base, 'ServiceAccount');
  t.deepEqual(role.rules, [
    {
      apiGroups: ['apps'],
      resources: ['statefulsets'],
      resourceNames: [statefulSet.metadata.name],
      verbs: ['get', 'list', 'watch'],
    },
  ]);
  t.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
  t.deepEqual(binding.subjects, [
    { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
  ]);
  t.is(statefulSet.spec.template.spec.serviceAccountName, account.metadata.name);
});
