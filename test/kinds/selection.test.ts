import test from 'ava';
import { type DiscoveredResource, type KindReference, parseKindList, resolveKinds } from '../../src/kinds/selection.js';
import { DEFAULT_KINDS, kindByMetricName } from '../../src/kinds/table.js';

const kind = (name: string) => kindByMetricName(name)!;
const describe = (references: readonly KindReference[]) =>
  references.map((reference) =>
    reference.type === 'table'
      ? reference.kind.metricName
      : `${reference.group}/${reference.version}/${reference.plural}`,
  );

const parsed: ReadonlyArray<readonly [string, string[]]> = [
  ['', []],
  ['daemonset', ['daemonset']],
  [' daemonsets , statefulset,,jobs ', ['daemonset', 'statefulset', 'job']],
  [
    'cronjob,namespaces,persistentvolumeclaim,replicaset,replicationcontrollers',
    ['cronjob', 'namespace', 'persistentvolumeclaim', 'replicaset', 'replicationcontroller'],
  ],
  ['stable.example.com/v1/crontabs', ['stable.example.com/v1/crontabs']],
  ['networking.k8s.io/v1/ingresses,job', ['networking.k8s.io/v1/ingresses', 'job']],
];

for (const [text, expected] of parsed) {
  test(`parseKindList(${JSON.stringify(text)})`, (t) => {
    t.deepEqual(describe(parseKindList(text)), expected);
  });
}

const rejected: ReadonlyArray<readonly [string, RegExp]> = [
  ['secret', /unknown kind "secret": expected one of deployment, pod/],
  ['pods2', /unknown kind "pods2"/],
  ['stable.example.com/crontabs', /not group\/version\/plural/],
  ['a/b/c/d', /not group\/version\/plural/],
  ['Stable.example.com/v1/crontabs', /not group\/version\/plural/],
  ['example.com/v1/secrets', /secrets are never exported/],
];

for (const [text, message] of rejected) {
  test(`parseKindList rejects ${JSON.stringify(text)}`, (t) => {
    t.throws(() => parseKindList(text), { message });
  });
}

const crontabs: DiscoveredResource = {
  name: 'crontabs',
  singularName: 'crontab',
  namespaced: true,
  kind: 'CronTab',
  verbs: ['get', 'list', 'watch'],
};
const discoveryOf = (resources: Record<string, DiscoveredResource[]>) => async (group: string, version: string) => {
  const found = resources[`${group}/${version}`];
  if (!found) throw new Error(`HTTP 404 /apis/${group}/${version}`);
  return found;
};

test('resolveKinds: defaults first, then table kinds, then discovered resources, each once', async (t) => {
  const discover = discoveryOf({
    'stable.example.com/v1': [{ name: 'crontabs/status', namespaced: true, kind: 'CronTab' }, crontabs],
  });
  const kinds = await resolveKinds(
    parseKindList('daemonset,pods,stable.example.com/v1/crontabs,daemonsets,apps/v1/statefulsets'),
    discover,
  );
  t.deepEqual(kinds.slice(0, 4), [...DEFAULT_KINDS]);
  t.deepEqual(kinds.slice(4, 5), [kind('daemonset')]);
  t.deepEqual(kinds[5], {
    metricName: 'crontab',
    group: 'stable.example.com',
    version: 'v1',
    plural: 'crontabs',
    kind: 'CronTab',
    namespaced: true,
  });
  t.is(kinds[6], kind('statefulset'), 'a table kind by group/version/plural needs no discovery');
  t.is(kinds.length, 7);
});

test('resolveKinds: singular name from the kind when discovery has none, scope as discovered', async (t) => {
  const discover = discoveryOf({
    'example.com/v1alpha1': [{ name: 'clusterwidgets', singularName: '', namespaced: false, kind: 'ClusterWidget' }],
  });
  const [, , , , widget] = await resolveKinds(parseKindList('example.com/v1alpha1/clusterwidgets'), discover);
  t.is(widget.metricName, 'clusterwidget');
  t.false(widget.namespaced);
});

test('resolveKinds: clear errors for unknown resources, unwatchable ones and metric name clashes', async (t) => {
  const discover = discoveryOf({
    'stable.example.com/v1': [crontabs],
    'argoproj.io/v1alpha1': [{ name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment' }],
    'example.com/v1': [
      { name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] },
    ],
  });
  await t.throwsAsync(resolveKinds(parseKindList('stable.example.com/v1/crontab'), discover), {
    message: 'the API server does not serve crontab in stable.example.com/v1',
  });
  await t.throwsAsync(resolveKinds(parseKindList('nope.example.com/v1/things'), discover), { message: /HTTP 404/ });
  await t.throwsAsync(resolveKinds(parseKindList('example.com/v1/tokenreviews'), discover), {
    message: 'example.com/v1/tokenreviews cannot be listed and watched',
  });
  await t.throwsAsync(resolveKinds(parseKindList('argoproj.io/v1alpha1/deployments'), discover), {
    message: '/apis/argoproj.io/v1alpha1/deployments would export as k8s_deployment_*, like /apis/apps/v1/deployments',
  });
});
