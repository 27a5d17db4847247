import test from 'ava';
import { parseLabels, renderLabels } from '../../src/metrics/exposition.js';
import { flatten } from '../../src/metrics/flatten.js';
import { MetricsStore } from '../../src/metrics/store.js';
import { expositionProblems, promtoolProblems, renderedText } from '../support/assertions/exposition.js';
import { type Overrides, restartingPod } from '../support/builders/objects.js';
import { optionalTools, PROMTOOL } from '../support/harness/tools.js';

const pod = (name: string, restarts: number, extra: Overrides = {}) =>
  flatten(
    'k8s_pod',
    { name, namespace: 'ns' },
    restartingPod(name, restarts, { metadata: { namespace: 'ns' }, ...extra }),
  );

test('each family is contiguous under one HELP and one TYPE, families sorted', (t) => {
  const store = new MetricsStore();
  store.set('pod/ns/a', pod('a', 1, { spec: { priority: 5 } }));
  store.set('pod/ns/b', pod('b', 2, { spec: { priority: 7 } }));
  t.is(
    renderedText(store),
    [
      '# HELP k8s_pod_spec_priority Value of field spec.priority',
      '# TYPE k8s_pod_spec_priority gauge',
      'k8s_pod_spec_priority{name="a",namespace="ns"} 5',
      'k8s_pod_spec_priority{name="b",namespace="ns"} 7',
      '# HELP k8s_pod_status_containerStatuses_restartCount Value of field status.containerStatuses[].restartCount',
      '# TYPE k8s_pod_status_containerStatuses_restartCount gauge',
      'k8s_pod_status_containerStatuses_restartCount{name="a",namespace="ns",container="app"} 1',
      'k8s_pod_status_containerStatuses_restartCount{name="b",namespace="ns",container="app"} 2',
      '',
    ].join('\n'),
  );
  t.deepEqual(expositionProblems(renderedText(store)), []);
  t.is(store.seriesCount, 4);
});

test('an update replaces the object series, dropping fields it no longer has', (t) => {
  const store = new MetricsStore();
  store.set('pod/ns/a', pod('a', 1, { spec: { priority: 5 } }));
  store.set('pod/ns/a', pod('a', 2));
  t.false(renderedText(store).includes('k8s_pod_spec_priority'), 'an emptied family disappears with its HELP');
  t.true(renderedText(store).includes('restartCount{name="a",namespace="ns",container="app"} 2\n'));
  t.is(store.seriesCount, 1);
});

test('a delete removes every series of the object and nothing else', (t) => {
  const store = new MetricsStore();
  store.set('pod/ns/a', pod('a', 1));
  store.set('pod/ns/b', pod('b', 2));
  store.delete('pod/ns/a');
  store.delete('pod/ns/never-existed');
  t.false(renderedText(store).includes('name="a"'));
  t.true(renderedText(store).includes('name="b"'));
  t.is(store.seriesCount, 1);
  store.delete('pod/ns/b');
  t.is(renderedText(store), '');
  t.is(store.seriesCount, 0);
});

test('render returns the same parts until the next change', (t) => {
  const store = new MetricsStore();
  store.set('pod/ns/a', pod('a', 1));
  const first = store.render();
  const firstText = Buffer.concat(first).toString();
  t.is(store.render(), first, 'the very same parts, not a new render');
  store.set('pod/ns/a', pod('a', 9));
  t.not(renderedText(store), firstText);
});

test('an update of the same length shows in the next render and leaves the Buffers already rendered as they were', (t) => {
  const store = new MetricsStore();
  store.set('pod/ns/a', pod('a', 1));
  store.set('pod/ns/b', pod('b', 2));
  const before = store.render();
  const beforeText = Buffer.concat(before).toString();
  store.set('pod/ns/a', pod('a', 7));
  store.set('pod/ns/b', pod('b', 10));
  t.is(Buffer.concat(before).toString(), beforeText);
  const after = renderedText(store);
  t.true(after.includes('{name="a",namespace="ns",container="app"} 7\n'));
  t.true(after.includes('{name="b",namespace="ns",container="app"} 10\n'));
  t.is(after.length, beforeText.length + 1);
});

for (const [groups, groupBytes] of [
  ['one group', undefined],
  ['groups of about 2 KB', 2048],
  ['groups of about 16 KB', 16384],
] as const) {
  test(`after any mix of updates and deletes the render holds exactly the current objects (their text memory is reused), ${groups}`, (t) => {
    const store = new MetricsStore(groupBytes);
    const current = new Map<string, ReturnType<typeof pod>>();
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 16807) % 2147483647;
      return Math.floor((seed / 2147483647) * below);
    };
    const sortedLines = (text: string) => text.split('\n').sort();
    for (let step = 1; step <= 2000; step++) {
      const name = `p${random(40)}`;
      if (random(10) < 3) {
        store.delete(`pod/ns/${name}`);
        current.delete(`pod/ns/${name}`);
      } else {
        // Texts from about 200 bytes to 5 KB, growing and shrinking by a byte or by kilobytes.
        const containers = Array.from({ length: 1 + random(30) }, (_, index) => ({
          name: `c${index}`,
          ports: [{ containerPort: random(10 ** random(6)) }],
        }));
        const samples = pod(name, random(10 ** random(6)), { spec: { containers } });
        store.set(`pod/ns/${name}`, samples);
        current.set(`pod/ns/${name}`, samples);
      }
      if (step % 100 === 0) {
        const fresh = new MetricsStore();
        for (const [key, samples] of current) fresh.set(key, samples);
        t.deepEqual(sortedLines(renderedText(store)), sortedLines(renderedText(fresh)), `after step ${step}`);
        t.deepEqual(expositionProblems(renderedText(store)), [], `after step ${step}`);
      }
    }
  });
}

test("a change renders anew only the blocks of the families it changed in its object's group; earlier renders keep their bytes", (t) => {
  // Each pod's text is about 140 bytes: a group is full with its third.
  const store = new MetricsStore(300);
  for (let index = 0; index < 9; index++)
    store.set(`pod/ns/p${index}`, pod(`p${index}`, index, { spec: { priority: 1 } }));
  const before = store.render();
  const beforeTexts = before.map((part) => part.toString());
  t.is(before.length, 2 * (1 + 3), 'two families, each a header and a block per group');
  store.set('pod/ns/p4', pod('p4', 40, { spec: { priority: 1 } }));
  const after = store.render();
  const renewed = after.filter((part) => !before.includes(part)).map((part) => part.toString());
  t.deepEqual(renewed, [
    [3, 4, 5]
      .map(
        (index) =>
          `k8s_pod_status_containerStatuses_restartCount{name="p${index}",namespace="ns",container="app"} ${index === 4 ? 40 : index}\n`,
      )
      .join(''),
  ]);
  t.deepEqual(
    before.map((part) => part.toString()),
    beforeTexts,
    'the earlier render is as it was',
  );
  for (let index = 0; index < 3; index++) store.delete(`pod/ns/p${index}`);
  t.is(store.render().length, 2 * (1 + 2), 'an emptied group is gone');
  t.false(renderedText(store).includes('"p0"'));
});

test('an object whose text is megabytes is stored, rendered and deleted like any other', (t) => {
  const store = new MetricsStore();
  const huge = pod('huge', 1, {
    spec: {
      containers: Array.from({ length: 20_000 }, (_, index) => ({
        name: `container-${index}`,
        ports: [{ containerPort: index }],
      })),
    },
  });
  store.set('pod/ns/huge', huge);
  store.set('pod/ns/a', pod('a', 1));
  t.true(renderedText(store).length > 2 * 1024 * 1024);
  t.true(
    renderedText(store).includes(
      'k8s_pod_spec_containers_ports_containerPort{name="huge",namespace="ns",container="container-19999",port="0"} 19999\n',
    ),
  );
  store.delete('pod/ns/huge');
  store.set('pod/ns/b', pod('b', 2));
  const text = renderedText(store);
  t.false(text.includes('huge'));
  t.true(text.includes('{name="b",namespace="ns",container="app"} 2\n'));
  t.deepEqual(expositionProblems(text), []);
});

test('render counts bytes, not characters, for non-ASCII label values', (t) => {
  const store = new MetricsStore();
  // Two families per object: a segment cut by characters instead of bytes would split a line.
  store.set('pod/ns/ü', pod('äöü-名前', 1, { spec: { priority: 5 } }));
  store.set('pod/ns/a', pod('a', 2, { spec: { priority: 6 } }));
  const text = renderedText(store);
  t.deepEqual(expositionProblems(text), []);
  t.true(
    text.includes(
      'k8s_pod_spec_priority{name="äöü-名前",namespace="ns"} 5\nk8s_pod_spec_priority{name="a",namespace="ns"} 6\n',
    ),
  );
  t.true(
    text.includes(
      'restartCount{name="äöü-名前",namespace="ns",container="app"} 1\nk8s_pod_status_containerStatuses_restartCount{name="a",namespace="ns",container="app"} 2\n',
    ),
  );
  t.is(Buffer.byteLength(text), Buffer.concat(store.render()).length);
});

test('hostile keys and values still render valid exposition (promtool when installed)', (t) => {
  const store = new MetricsStore();
  const hostile = {
    spec: {
      'we.ird-key/x': 1,
      '0digits': 2,
      ünïcode: 3,
      'help\nnewline\\': 4,
      huge: 1e308,
      tiny: -1e-308,
      list: [
        { name: 'quote"back\\slash\nnewline', v: 1 },
        { name: 'ok', v: 2 },
      ],
    },
    status: { capacity: { big: '1e400' } },
  };
  store.set('pod/ns/x', flatten('k8s_pod', { name: 'x"y', namespace: 'n\\s' }, hostile));
  const text = renderedText(store);
  t.deepEqual(expositionProblems(text), []);
  t.true(text.includes('+Inf'));
  if (optionalTools(t, 'promtool check metrics of the rendered text', PROMTOOL))
    t.deepEqual(promtoolProblems(text), []);
});

test('an update that changes nothing keeps the rendered parts; one that does renders anew', (t) => {
  const store = new MetricsStore();
  store.set('pod/ns/a', pod('a', 1, { spec: { priority: 5 } }));
  store.set('pod/ns/b', pod('b', 1));
  const first = store.render();
  store.set('pod/ns/a', pod('a', 1, { spec: { priority: 5 } }));
  t.is(store.render(), first);
  store.set('pod/ns/a', pod('a', 1));
  t.not(store.render(), first);
  t.false(renderedText(store).includes('k8s_pod_spec_priority'));
  store.set('pod/ns/b', pod('b', 1, { spec: { priority: 6 } }));
  t.true(
    renderedText(store).includes(
      '# HELP k8s_pod_spec_priority Value of field spec.priority\n# TYPE k8s_pod_spec_priority gauge\nk8s_pod_spec_priority{name="b",namespace="ns"} 6\n',
    ),
  );
  t.is(store.seriesCount, 3);
});

test('parseLabels reads back what renderLabels wrote, escapes included', (t) => {
  const labels: Array<[string, string]> = [
    ['name', 'plain'],
    ['quote', 'a"b'],
    ['backslash', 'c\\d'],
    ['newline', 'e\nf'],
    ['all', '\\"\n\\n'],
    ['empty', ''],
    ['unicode', 'äö名'],
  ];
  t.is(
    renderLabels(labels),
    '{name="plain",quote="a\\"b",backslash="c\\\\d",newline="e\\nf",all="\\\\\\"\\n\\\\n",empty="",unicode="äö名"}',
  );
  t.deepEqual(parseLabels(renderLabels(labels)), labels);
  t.deepEqual(parseLabels(''), []);
});
