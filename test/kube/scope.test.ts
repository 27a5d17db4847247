import test from 'ava';
import { kindByMetricName } from '../../src/kinds/table.js';
import {
  parseKindSelectors,
  parseLabelSelectors,
  type Scope,
  scopeProblems,
  watchTargets,
} from '../../src/kube/scope.js';

const kind = (name: string) => kindByMetricName(name)!;
const UNSCOPED: Scope = { namespaces: [], namespacesExclude: [], labelSelectors: new Map(), fieldSelectors: new Map() };

const targetCases: ReadonlyArray<readonly [string, string, Partial<Scope>, object[]]> = [
  ['unscoped', 'pod', {}, [{ path: '/api/v1/pods' }]],
  [
    'namespaces',
    'deployment',
    { namespaces: ['a', 'b'] },
    [{ path: '/apis/apps/v1/namespaces/a/deployments' }, { path: '/apis/apps/v1/namespaces/b/deployments' }],
  ],
  [
    'namespaces minus excluded',
    'pod',
    { namespaces: ['a', 'b'], namespacesExclude: ['b'] },
    [{ path: '/api/v1/namespaces/a/pods' }],
  ],
  [
    'excluded namespaces',
    'pod',
    { namespacesExclude: ['kube-system', 'x'] },
    [{ path: '/api/v1/pods', fieldSelector: 'metadata.namespace!=kube-system,metadata.namespace!=x' }],
  ],
  [
    'cluster-scoped kinds ignore namespaces',
    'node',
    { namespaces: ['a'], namespacesExclude: ['b'] },
    [{ path: '/api/v1/nodes' }],
  ],
  [
    'selectors of the kind, with exclusions',
    'pod',
    {
      namespacesExclude: ['x'],
      labelSelectors: new Map([
        ['pod', 'app=web'],
        ['node', 'role=a'],
      ]),
      fieldSelectors: new Map([['pod', 'status.phase=Running']]),
    },
    [{ path: '/api/v1/pods', labelSelector: 'app=web', fieldSelector: 'status.phase=Running,metadata.namespace!=x' }],
  ],
  [
    'selectors per namespace',
    'pod',
    { namespaces: ['a'], labelSelectors: new Map([['pod', 'app']]) },
    [{ path: '/api/v1/namespaces/a/pods', labelSelector: 'app' }],
  ],
  [
    'selectors on cluster-scoped kinds',
    'node',
    { fieldSelectors: new Map([['node', 'metadata.name=n1']]) },
    [{ path: '/api/v1/nodes', fieldSelector: 'metadata.name=n1' }],
  ],
  ['every namespace excluded', 'pod', { namespaces: ['a'], namespacesExclude: ['a'] }, []],
];

for (const [title, kindName, scope, expected] of targetCases) {
  test(`watchTargets: ${title}`, (t) => {
    t.deepEqual(watchTargets(kind(kindName), { ...UNSCOPED, ...scope }), expected);
  });
}

test('parseKindSelectors: KIND=SELECTOR separated by semicolons, selectors keep their commas and operators', (t) => {
  t.deepEqual([...parseKindSelectors('')], []);
  t.deepEqual(
    [...parseKindSelectors(' pod = app=web,tier!=db ; deployment=app in (a,b) ;')],
    [
      ['pod', 'app=web,tier!=db'],
      ['deployment', 'app in (a,b)'],
    ],
  );
  t.deepEqual([...parseKindSelectors('pod=status.phase==Running')], [['pod', 'status.phase==Running']]);
});

test('parseKindSelectors: clear errors', (t) => {
  t.throws(() => parseKindSelectors('app'), { message: '"app" is not KIND=SELECTOR (e.g. pod=app=web)' });
  t.throws(() => parseKindSelectors('=app=x'), { message: /is not KIND=SELECTOR/ });
  t.throws(() => parseKindSelectors('Pod=app=x'), { message: /is not KIND=SELECTOR/ });
  t.throws(() => parseKindSelectors('pod=a=b;pod=c=d'), { message: 'two selectors for pod: join them with a comma' });
  t.throws(() => parseLabelSelectors('pod=app=a=b'), { message: 'unable to parse requirement: app=a=b' });
});

test('scopeProblems: selectors must name watched kinds', (t) => {
  const scope = {
    ...UNSCOPED,
    labelSelectors: new Map([
      ['pod', 'a'],
      ['job', 'b'],
    ]),
    fieldSelectors: new Map([['nodes', 'c']]),
  };
  t.deepEqual(scopeProblems(scope, [kind('pod'), kind('node')]), [
    '--label-selector names job, which is not watched (watched: pod, node)',
    '--field-selector names nodes, which is not watched (watched: pod, node)',
  ]);
  t.deepEqual(scopeProblems(UNSCOPED, [kind('pod')]), []);
});
