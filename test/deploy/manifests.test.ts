import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { parseConfig } from '../../src/config/exporter.js';
import { DEFAULT_KINDS, KINDS, type KindSpec } from '../../src/kinds/table.js';
import { apiFieldProblems } from '../support/assertions/api-fields.js';
import { type ApiObject, K8S_DIR, loadManifests, objectOfKind } from '../support/harness/manifests.js';
import { KUBECTL, testNeeding } from '../support/harness/tools.js';
import { type DiscoveredResource, startDiscoveryServer } from '../support/servers/discovery.js';

const testWithKubectl = testNeeding(KUBECTL);

const manifests = loadManifests();
const deployment = objectOfKind(manifests, 'Deployment');
const podSpec = deployment.spec.template.spec;
const container = podSpec.containers[0];
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

function containerPort(name: string): number | undefined {
  return container.ports.find((port: { name: string }) => port.name === name)?.containerPort;
}

function isSubset(labels: Record<string, string>, of: Record<string, string>): boolean {
  return Object.entries(labels).every(([name, value]) => of[name] === value);
}

test('k8s/ creates a namespace, service account, cluster role and binding, deployment and service', (t) => {
  t.deepEqual(
    manifests.map(({ object }) => object.kind),
    ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service'],
  );
});

test('every manifest is a current API object with only known, well-typed fields', (t) => {
  for (const { file, object } of manifests) {
    t.deepEqual(apiFieldProblems(object), [], file);
  }
});

test('the field check rejects what a real API server would', (t) => {
  const broken = structuredClone(deployment);
  broken.spec.template.spec.containers[0].readinessProbe.httpGet.prot = 8080;
  broken.spec.replicas = '1';
  t.deepEqual(apiFieldProblems(broken), [
    'Deployment.spec.replicas: expected a number, got "1"',
    'Deployment.spec.template.spec.containers[0].readinessProbe.httpGet.prot: unknown field',
  ]);
  t.deepEqual(apiFieldProblems({ apiVersion: 'extensions/v1beta1', kind: 'Deployment' }), [
    'extensions/v1beta1 Deployment: no such API type',
  ]);
});

test('files are ordered so one `kubectl create` pass succeeds: each namespace before what lives in it', (t) => {
  manifests.forEach(({ file, object }, index) => {
    const namespace = object.metadata.namespace;
    if (namespace === undefined) return;
    const created = manifests
      .slice(0, index)
      .some((earlier) => earlier.object.kind === 'Namespace' && earlier.object.metadata.name === namespace);
    t.true(created, `${file}: namespace ${namespace} is not created before it`);
  });
});

/** The role's rules without resourceNames grant get, list and watch on exactly these kinds. */
function assertGrantsExactly(t: ExecutionContext, role: ApiObject, kinds: readonly KindSpec[]): void {
  const kindRules = role.rules.filter((rule: { resourceNames?: string[] }) => !rule.resourceNames);
  const granted: string[] = kindRules.flatMap((rule: { apiGroups: string[]; resources: string[] }) =>
    rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group}/${resource}`)),
  );
  t.deepEqual([...granted].sort(), kinds.map((kind) => `${kind.group}/${kind.plural}`).sort());
  for (const rule of kindRules) {
    t.deepEqual(Object.keys(rule).sort(), ['apiGroups', 'resources', 'verbs'], 'no nonResourceURLs');
    t.deepEqual([...rule.verbs].sort(), ['get', 'list', 'watch']);
  }
  t.false(granted.some((grant) => grant.endsWith('/secrets')));
}

test('the ClusterRole grants get, list and watch on exactly the kinds the exporter watches by default', (t) => {
  assertGrantsExactly(t, objectOfKind(manifests, 'ClusterRole'), DEFAULT_KINDS);
});

test('k8s/extra-kinds/ grants the other table kinds to the same service account', (t) => {
  const extra = loadManifests(join(K8S_DIR, 'extra-kinds'));
  for (const { file, object } of extra) t.deepEqual(apiFieldProblems(object), [], file);
  const role = objectOfKind(extra, 'ClusterRole');
  assertGrantsExactly(
    t,
    role,
    KINDS.filter((kind) => !DEFAULT_KINDS.includes(kind)),
  );
  const binding = objectOfKind(extra, 'ClusterRoleBinding');
  const account = objectOfKind(manifests, 'ServiceAccount');
  t.is(binding.roleRef.name, role.metadata.name);
  t.deepEqual(binding.subjects, [
    { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
  ]);
});

test('beyond the kinds, the ClusterRole may only get the kube-system namespace (the cluster ID of reports)', (t) => {
  const role = objectOfKind(manifests, 'ClusterRole');
  const named = role.rules.filter((rule: { resourceNames?: string[] }) => rule.resourceNames);
  t.deepEqual(named, [{ apiGroups: [''], resources: ['namespaces'], resourceNames: ['kube-system'], verbs: ['get'] }]);
});

test('the binding gives the ClusterRole to the service account the Deployment runs as', (t) => {
  const binding = objectOfKind(manifests, 'ClusterRoleBinding');
  const account = objectOfKind(manifests, 'ServiceAccount');
  t.deepEqual(binding.roleRef, {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: objectOfKind(manifests, 'ClusterRole').metadata.name,
  });
  t.deepEqual(binding.subjects, [
    { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
  ]);
  t.is(podSpec.serviceAccountName, account.metadata.name);
  t.is(deployment.metadata.namespace, account.metadata.namespace);
  t.not(podSpec.automountServiceAccountToken, false, 'the exporter reads the in-cluster service account');
});

test("the container's args are the exporter's flags, and its port, probes and annotations follow --port", (t) => {
  const parsed = parseConfig(container.args, {});
  if (parsed.action !== 'run') return t.fail('args must run the exporter');
  const config = parsed.config.http;
  t.is(containerPort('http'), config.port);
  t.true(['0.0.0.0', '::'].includes(config.host), 'kubelet probes and Prometheus reach the pod IP');
  t.is(container.command, undefined, "the image's entrypoint runs the exporter");
  t.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
  t.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
  t.deepEqual(deployment.spec.template.metadata.annotations, {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(config.port),
    'prometheus.io/path': '/metrics',
  });
});

test('the image is the one the Dockerfile builds for this version', (t) => {
  t.is(container.image, `kube-api-exporter:${packageJson.version}`);
});

test('the Deployment runs non-root, read-only, without privilege escalation, with requests and limits', (t) => {
  t.true(podSpec.securityContext.runAsNonRoot);
  t.true(podSpec.securityContext.runAsUser > 0);
  t.deepEqual(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  });
  t.is(container.securityContext.privileged, undefined);
  t.deepEqual(Object.keys(container.resources.requests).sort(), ['cpu', 'memory']);
  t.deepEqual(Object.keys(container.resources.limits).sort(), ['cpu', 'memory']);
  t.true(isSubset(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
});

test("the Service selects the Deployment's pods and exposes the metrics port", (t) => {
  const service = objectOfKind(manifests, 'Service');
  t.true(isSubset(service.spec.selector, deployment.spec.template.metadata.labels));
  t.is(service.metadata.namespace, deployment.metadata.namespace);
  t.deepEqual(service.spec.ports, [{ name: 'http', port: containerPort('http'), targetPort: 'http', protocol: 'TCP' }]);
});

/** What a current cluster serves for the kinds in k8s/ (and no extensions/v1beta1 or rbac v1beta1). */
const CURRENT_API: readonly DiscoveredResource[] = [
  { groupVersion: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { groupVersion: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { groupVersion: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { groupVersion: 'apps/v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { groupVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  {
    groupVersion: 'rbac.authorization.k8s.io/v1',
    plural: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  },
];

function kubectlName(object: ApiObject): string {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
}

testWithKubectl('`kubectl create --dry-run=client -f k8s` creates every object, in file order', async (t) => {
  const discovery = await startDiscoveryServer(CURRENT_API);
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  t.teardown(async () => {
    await discovery.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  // Field validation needs the cluster's OpenAPI document; the field check above stands in for it.
  const { stdout } = await promisify(execFile)(
    'kubectl',
    [
      'create',
      '--dry-run=client',
      '--validate=false',
      `--server=${discovery.url}`,
      `--cache-dir=${cacheDir}`,
      '-o',
      'name',
      '-f',
      K8S_DIR,
    ],
    { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 30_000 },
  );
  t.deepEqual(
    stdout.trim().split('\n'),
    manifests.map(({ object }) => kubectlName(object)),
  );
});
