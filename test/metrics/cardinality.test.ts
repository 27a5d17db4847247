import test from 'ava';
import { NODE, POD } from '../../src/kinds/table.js';
import {
  type CardinalityRules,
  cardinalityProblems,
  type DropReason,
  parseGlobs,
  parseSeriesLimits,
  sampleFilter,
} from '../../src/metrics/cardinality.js';
import type { Labels, Sample } from '../../src/metrics/exposition.js';
import { renderLabels } from '../../src/metrics/exposition.js';

const NO_LIMITS: CardinalityRules = { allow: [], deny: [], seriesLimits: new Map() };
const pod = POD;
const node = NODE;
const sample = (name: string, container?: string): Sample => {
  const labels: Labels = container ? [['container', container]] : [];
  return { name, path: name, labelText: renderLabels(labels), value: 1 };
};
const podSamples = [
  sample('k8s_pod_metadata_generation'),
  sample('k8s_pod_spec_containers_resources_requests_cpu', 'a'),
  sample('k8s_pod_spec_containers_resources_requests_cpu', 'b'),
  sample('k8s_pod_status_containerStatuses_restartCount', 'a'),
  sample('k8s_pod_status_containerStatuses_restartCount', 'b'),
  sample('k8s_pod_status_startTime'),
];

const cases: ReadonlyArray<readonly [string, Partial<CardinalityRules>, number[], Array<[DropReason, number]>]> = [
  ['no rules keep everything', {}, [0, 1, 2, 3, 4, 5], []],
  ['allow list', { allow: ['k8s_pod_status_*'] }, [3, 4, 5], [['denied', 3]]],
  ['several allow globs', { allow: ['*_generation', '*requests_cpu'] }, [0, 1, 2], [['denied', 3]]],
  ['deny list', { deny: ['*_restartCount'] }, [0, 1, 2, 5], [['denied', 2]]],
  ['deny wins over allow', { allow: ['k8s_pod_*'], deny: ['k8s_pod_spec_*'] }, [0, 3, 4, 5], [['denied', 2]]],
  [
    'limit keeps the first series in flattening order',
    { seriesLimits: new Map([['pod', 4]]) },
    [0, 1, 2, 3],
    [['limit', 2]],
  ],
  [
    'limit counts after the name filter',
    { deny: ['*_startTime'], seriesLimits: new Map([['pod', 3]]) },
    [0, 1, 2],
    [
      ['denied', 1],
      ['limit', 2],
    ],
  ],
  ['limit of another kind', { seriesLimits: new Map([['node', 1]]) }, [0, 1, 2, 3, 4, 5], []],
  ['limit not reached', { seriesLimits: new Map([['pod', 6]]) }, [0, 1, 2, 3, 4, 5], []],
];

for (const [title, rules, kept, dropped] of cases) {
  test(`sampleFilter: ${title}`, (t) => {
    const drops: Array<[DropReason, number]> = [];
    const filter = sampleFilter({ ...NO_LIMITS, ...rules }, (kind, reason, count) => {
      t.is(kind, pod);
      drops.push([reason, count]);
    });
    t.deepEqual(
      filter(pod, podSamples),
      kept.map((index) => podSamples[index]),
    );
    t.deepEqual(drops, dropped);
  });
}

test('parseGlobs and parseSeriesLimits', (t) => {
  t.deepEqual(parseGlobs(' k8s_pod_* ,, *_generation'), ['k8s_pod_*', '*_generation']);
  t.deepEqual(parseGlobs(''), []);
  t.throws(() => parseGlobs('k8s_pod_{a,b}'), {
    message: '"k8s_pod_{a" is not a metric name glob (letters, digits, _ and :, with * for any run)',
  });
  t.throws(() => parseGlobs('k8s pod'), { message: /"k8s pod" is not a metric name glob/ });
  t.deepEqual(
    [...parseSeriesLimits('pod=200, node=5')],
    [
      ['pod', 200],
      ['node', 5],
    ],
  );
  t.throws(() => parseSeriesLimits('pod=0'), { message: '"pod=0" is not KIND=N with N at least 1 (e.g. pod=200)' });
  t.throws(() => parseSeriesLimits('pod'), { message: /"pod" is not KIND=N/ });
});

test('cardinalityProblems: limits must name watched kinds', (t) => {
  t.deepEqual(
    cardinalityProblems(
      {
        ...NO_LIMITS,
        seriesLimits: new Map([
          ['pod', 1],
          ['job', 2],
        ]),
      },
      [pod, node],
    ),
    ['--kind-series-limit names job, which is not watched (watched: pod, node)'],
  );
});
