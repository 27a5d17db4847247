import test from 'ava';
import { renderSample } from '../../src/metrics/exposition.js';
import {
  type Dropped,
  type FlattenLimits,
  flatten,
  NO_LIMITS,
  noneDropped,
  type ObjectIdentity,
  timestampSeconds,
} from '../../src/metrics/flatten.js';
import { seededRandom } from '../support/harness/random.js';

const POD: ObjectIdentity = { name: 'p', namespace: 'ns' };

/** The object's series as exposition lines, without the `{name="p",namespace="ns"` prefix noise in expectations. */
function lines(object: unknown, identity: ObjectIdentity = POD, prefix = 'k8s_pod'): string[] {
  return flatten(prefix, identity, object).map((sample) => renderSample(sample).trimEnd());
}

const id = 'name="p",namespace="ns"';

const cases: ReadonlyArray<{ readonly title: string; readonly object: unknown; readonly expected: readonly string[] }> =
  [
    {
      title: 'integers and floats as they are',
      object: { spec: { a: 3, b: -1.5, c: 0 } },
      expected: [`k8s_pod_spec_a{${id}} 3`, `k8s_pod_spec_b{${id}} -1.5`, `k8s_pod_spec_c{${id}} 0`],
    },
    {
      title: 'huge and tiny numbers keep their value',
      // biome-ignore lint/correctness/noPrecisionLoss: 2^53 + 1 as JSON would carry it; the test shows it exported as the double it parses to
      object: { x: 1.7976931348623157e308, y: 5e-324, z: 9007199254740993 },
      expected: [
        `k8s_pod_x{${id}} 1.7976931348623157e+308`,
        `k8s_pod_y{${id}} 5e-324`,
        `k8s_pod_z{${id}} 9007199254740992`,
      ],
    },
    {
      title: 'booleans as 1/0',
      object: { spec: { hostNetwork: true, paused: false } },
      expected: [`k8s_pod_spec_hostNetwork{${id}} 1`, `k8s_pod_spec_paused{${id}} 0`],
    },
    {
      title: 'camelCase kept, keys joined by _',
      object: { spec: { template: { spec: { terminationGracePeriodSeconds: 30 } } } },
      expected: [`k8s_pod_spec_template_spec_terminationGracePeriodSeconds{${id}} 30`],
    },
    {
      title: 'strings without numeric meaning are skipped',
      object: { spec: { image: 'nginx', port: '8080', maxSurge: '25%', resourceVersion: '123' } },
      expected: [],
    },
    { title: 'nulls and empty objects are skipped', object: { spec: { a: null, b: {}, c: [] } }, expected: [] },
    {
      title: 'quantities in resource maps in base units',
      object: {
        status: {
          capacity: { cpu: '4', memory: '1Gi', 'ephemeral-storage': '100Gi', 'nvidia.com/gpu': '1', weird: 'lots' },
          allocatable: { cpu: '3500m' },
        },
      },
      expected: [
        `k8s_pod_status_capacity_cpu{${id}} 4`,
        `k8s_pod_status_capacity_memory{${id}} 1073741824`,
        `k8s_pod_status_capacity_ephemeral_storage{${id}} 107374182400`,
        `k8s_pod_status_capacity_nvidia_com_gpu{${id}} 1`,
        `k8s_pod_status_allocatable_cpu{${id}} 3.5`,
      ],
    },
    {
      title: 'quantity-looking strings outside resource maps are skipped',
      object: { spec: { size: '1Gi' } },
      expected: [],
    },
    {
      title: 'RFC 3339 timestamps as unix seconds, fractions kept',
      object: {
        metadata: { creationTimestamp: '2017-07-18T12:32:01Z' },
        status: {
          startTime: '2017-07-18T12:32:16.298303791Z',
          offset: '2017-07-18T14:32:01+02:00',
          notATime: '2017-07-18',
        },
      },
      expected: [
        `k8s_pod_metadata_creationTimestamp{${id}} 1500381121`,
        `k8s_pod_status_startTime{${id}} 1500381136.2983038`,
        `k8s_pod_status_offset{${id}} 1500381121`,
      ],
    },
    {
      title: 'condition status True/False/Unknown as 1/0/-1, labelled by type',
      object: {
        status: {
          conditions: [
            { type: 'Ready', status: 'True' },
            { type: 'MemoryPressure', status: 'False' },
            { type: 'DiskPressure', status: 'Unknown' },
            { type: 'Odd', status: 'Maybe' },
          ],
        },
      },
      expected: [
        `k8s_pod_status_conditions_status{${id},condition="Ready"} 1`,
        `k8s_pod_status_conditions_status{${id},condition="MemoryPressure"} 0`,
        `k8s_pod_status_conditions_status{${id},condition="DiskPressure"} -1`,
      ],
    },
    { title: '"True" outside a condition is just a string', object: { spec: { status: 'True' } }, expected: [] },
    {
      title: 'list elements labelled by name',
      object: {
        spec: {
          containers: [
            { name: 'app', resources: { requests: { cpu: '250m' } } },
            { name: 'sidecar', resources: { limits: { memory: '64Mi' } } },
          ],
        },
      },
      expected: [
        `k8s_pod_spec_containers_resources_requests_cpu{${id},container="app"} 0.25`,
        `k8s_pod_spec_containers_resources_limits_memory{${id},container="sidecar"} 67108864`,
      ],
    },
    {
      title: 'nested lists each add a label',
      object: {
        spec: {
          containers: [
            {
              name: 'app',
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'metrics', containerPort: 9090 },
              ],
            },
          ],
        },
      },
      expected: [
        `k8s_pod_spec_containers_ports_containerPort{${id},container="app",port="http"} 8080`,
        `k8s_pod_spec_containers_ports_containerPort{${id},container="app",port="metrics"} 9090`,
      ],
    },
    {
      title: 'lists without a natural key are labelled by index',
      object: { spec: { ports: [{ port: 80 }, { port: 443 }] } },
      expected: [`k8s_pod_spec_ports_port{${id},port="0"} 80`, `k8s_pod_spec_ports_port{${id},port="1"} 443`],
    },
    {
      title: 'a list where one element lacks the key is labelled by index throughout (no name/index collision)',
      object: { spec: { ports: [{ name: '1', port: 80 }, { port: 443 }] } },
      expected: [`k8s_pod_spec_ports_port{${id},port="0"} 80`, `k8s_pod_spec_ports_port{${id},port="1"} 443`],
    },
    {
      title: 'duplicate natural keys fall back to index',
      object: {
        spec: {
          items: [
            { name: 'a', v: 1 },
            { name: 'a', v: 2 },
          ],
        },
      },
      expected: [`k8s_pod_spec_items_v{${id},item="0"} 1`, `k8s_pod_spec_items_v{${id},item="1"} 2`],
    },
    {
      title: 'lists of numbers and lists of lists',
      object: { spec: { sizes: [10, 20], matrix: [[1], [2, 3]] } },
      expected: [
        `k8s_pod_spec_sizes{${id},size="0"} 10`,
        `k8s_pod_spec_sizes{${id},size="1"} 20`,
        `k8s_pod_spec_matrix{${id},matrix="0",item="0"} 1`,
        `k8s_pod_spec_matrix{${id},matrix="1",item="0"} 2`,
        `k8s_pod_spec_matrix{${id},matrix="1",item="1"} 3`,
      ],
    },
    {
      title: 'a list label that would shadow name/namespace or an outer list gets a suffix',
      object: { spec: { names: [{ type: 'x', v: 1 }], outer: [{ name: 'o', outer: [{ name: 'i', v: 2 }] }] } },
      expected: [
        `k8s_pod_spec_names_v{${id},name_2="x"} 1`,
        `k8s_pod_spec_outer_outer_v{${id},outer="o",outer_2="i"} 2`,
      ],
    },
    {
      title: 'skipped: managedFields, annotations, labels, ownerReferences, env, envFrom',
      object: {
        metadata: {
          generation: 1,
          managedFields: [{ time: '2020-01-01T00:00:00Z' }],
          annotations: { 'x/y': '1' },
          labels: { n: '2' },
          ownerReferences: [{ name: 'rs', controller: true }],
        },
        spec: {
          containers: [{ name: 'c', env: [{ name: 'SECRET', value: '42' }], envFrom: [{ prefix: 'X' }] }],
          template: { metadata: { annotations: { a: '3' } } },
        },
      },
      expected: [`k8s_pod_metadata_generation{${id}} 1`],
    },
    {
      title: 'metric names sanitised to [a-zA-Z0-9_]',
      object: { spec: { 'dotted.key': 1, 'with-dash': 2, 'slash/ed': 3, ünï: 4, '0lead': 5 } },
      expected: [
        `k8s_pod_spec_dotted_key{${id}} 1`,
        `k8s_pod_spec_with_dash{${id}} 2`,
        `k8s_pod_spec_slash_ed{${id}} 3`,
        `k8s_pod_spec__n_{${id}} 4`,
        `k8s_pod_spec_0lead{${id}} 5`,
      ],
    },
    {
      title: 'keys that sanitise to the same name render once (first wins)',
      object: { spec: { 'a-b': 1, a_b: 2 } },
      expected: [`k8s_pod_spec_a_b{${id}} 1`],
    },
    {
      title: 'colliding keys in list elements render once per element, whichever comes first in each',
      object: {
        spec: {
          items: [
            { name: 'x', 'a-b': 1, a_b: 2 },
            { name: 'y', a_b: 3, 'a-b': 4 },
            { name: 'z', 'a-b': 5 },
          ],
        },
      },
      expected: [
        `k8s_pod_spec_items_a_b{${id},item="x"} 1`,
        `k8s_pod_spec_items_a_b{${id},item="y"} 3`,
        `k8s_pod_spec_items_a_b{${id},item="z"} 5`,
      ],
    },
    {
      title: 'label values escaped per the exposition format',
      object: { spec: { containers: [{ name: 'q"uo\\te\nnl', v: 1 }] } },
      expected: [`k8s_pod_spec_containers_v{${id},container="q\\"uo\\\\te\\nnl"} 1`],
    },
    {
      title: 'prototype-ish keys are plain keys',
      object: {
        spec: {
          constructor: [{ type: 'x', status: 'constructor' }],
          conditions: [{ type: '__proto__', status: 'toString' }],
        },
      },
      expected: [],
    },
  ];

for (const { title, object, expected } of cases) {
  test(title, (t) => {
    t.deepEqual(lines(object), [...expected]);
  });
}

test('cluster-scoped objects have no namespace label', (t) => {
  t.deepEqual(lines({ spec: { unschedulable: true } }, { name: 'node-1' }, 'k8s_node'), [
    'k8s_node_spec_unschedulable{name="node-1"} 1',
  ]);
});

test('init containers and app containers with the same name never render the same series', (t) => {
  const pod = {
    spec: {
      initContainers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }],
      containers: [{ name: 'app', resources: { requests: { cpu: '200m' } } }],
    },
    status: {
      initContainerStatuses: [{ name: 'app', restartCount: 0, ready: false }],
      containerStatuses: [{ name: 'app', restartCount: 3, ready: true }],
    },
  };
  const rendered = lines(pod);
  t.is(new Set(rendered.map((line) => line.slice(0, line.lastIndexOf(' ')))).size, rendered.length);
  t.deepEqual(rendered, [
    `k8s_pod_spec_initContainers_resources_requests_cpu{${id},container="app"} 0.1`,
    `k8s_pod_spec_containers_resources_requests_cpu{${id},container="app"} 0.2`,
    `k8s_pod_status_initContainerStatuses_restartCount{${id},container="app"} 0`,
    `k8s_pod_status_initContainerStatuses_ready{${id},container="app"} 0`,
    `k8s_pod_status_containerStatuses_restartCount{${id},container="app"} 3`,
    `k8s_pod_status_containerStatuses_ready{${id},container="app"} 1`,
  ]);
});

test('samples carry the field path with [] for lists (used as HELP)', (t) => {
  const [sample] = flatten('k8s_pod', POD, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 1 }] }] } });
  t.is(sample.path, 'spec.containers[].ports[].containerPort');
});

const limitCases: ReadonlyArray<readonly [string, Partial<FlattenLimits>, object, string[], Partial<Dropped>]> = [
  [
    'depth: fields deeper than the limit are not walked',
    { maxDepth: 2 },
    { spec: { replicas: 1, deep: { x: 1, y: { z: 2 } } } },
    [`k8s_pod_spec_replicas{${id}} 1`],
    { depth: 2 },
  ],
  [
    'depth: list levels count',
    { maxDepth: 2 },
    { spec: { ports: [{ port: 80 }], size: 3 } },
    [`k8s_pod_spec_size{${id}} 3`],
    { depth: 1 },
  ],
  ['depth: the limit itself is kept', { maxDepth: 3 }, { a: { b: { c: 1 } } }, [`k8s_pod_a_b_c{${id}} 1`], {}],
  [
    'series: the first N are kept',
    { maxSeriesPerObject: 2 },
    { a: 1, b: 2, c: 3, d: 4 },
    [`k8s_pod_a{${id}} 1`, `k8s_pod_b{${id}} 2`],
    { series_limit: 2 },
  ],
  [
    'label length: long element names fall back to the index',
    { maxLabelValueLength: 3 },
    { items: [{ name: 'abcd', v: 1 }] },
    [`k8s_pod_items_v{${id},item="0"} 1`],
    {},
  ],
  [
    'label length: short element names are kept',
    { maxLabelValueLength: 3 },
    { items: [{ name: 'abc', v: 1 }] },
    [`k8s_pod_items_v{${id},item="abc"} 1`],
    {},
  ],
  [
    'label length: an object whose name or namespace is too long exports nothing',
    { maxLabelValueLength: 1 },
    { a: 1 },
    [],
    { label_length: 1 },
  ],
];

for (const [title, limits, object, expected, dropped] of limitCases) {
  test(`limits: ${title}`, (t) => {
    const counts = noneDropped();
    const samples = flatten('k8s_pod', POD, object, { ...NO_LIMITS, ...limits }, counts);
    t.deepEqual(
      samples.map((sample) => renderSample(sample).trimEnd()),
      expected,
    );
    t.deepEqual(counts, { ...noneDropped(), ...dropped });
  });
}

/** What timestampSeconds must agree with: the RFC 3339 shape, Date.parse for the calendar, the fraction from the text. */
function referenceTimestampSeconds(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const millis = Date.parse(text);
  if (Number.isNaN(millis)) return undefined;
  const fraction = /\.(\d+)/.exec(text)?.[1];
  return Math.floor(millis / 1000) + (fraction === undefined ? 0 : Number(`0.${fraction}`));
}

test('timestamps: read by position, the same seconds as Date.parse over edge cases and 100,000 mutations', (t) => {
  const edges = [
    '2017-07-18T12:32:01Z',
    '2017-07-18t12:32:01z',
    '2017-07-18T12:32:16.298303791Z',
    '2017-07-18T14:32:01+02:00',
    '2017-07-18T10:32:01-02:00',
    '0000-01-01T00:00:00Z',
    '0099-12-31T23:59:59Z',
    '0100-03-01T00:00:00Z',
    '1969-12-31T23:59:59.5Z',
    '9999-12-31T23:59:59.999999999+14:00',
    '2024-02-30T00:00:00Z',
    '2024-06-31T00:00:00Z',
    '2024-02-32T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-01T00:00:00Z',
    '2024-01-00T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T24:00:00.000Z',
    '2024-01-01T24:00:00.001Z',
    '2024-01-01T24:00:01Z',
    '2024-01-01T23:60:00Z',
    '2024-01-01T23:59:60Z',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01T00:00:00+23:59',
    '2024-01-01T00:00:00+00:60',
    '2024-01-01T00:00:00+0100',
    '2024-01-01T00:00:00.Z',
    '2024-01-01T00:00:00',
    '2024-01-01',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00:00ZZ',
    '+2024-01-01T00:00:00Z',
    '２０２４-01-01T00:00:00Z',
  ];
  const random = seededRandom(3339);
  const alphabet = '0123456789-:TtZz+.x ';
  const mutations = Array.from({ length: 100_000 }, () => {
    const chars = [...random.pick(edges)];
    for (let edit = random.int(1, 3); edit > 0; edit--)
      chars[random.int(0, chars.length - 1)] = alphabet[random.int(0, alphabet.length - 1)];
    return chars.join('');
  });
  const disagreements = [...edges, ...mutations].filter(
    (text) => !Object.is(timestampSeconds(text), referenceTimestampSeconds(text)),
  );
  t.deepEqual(
    disagreements.slice(0, 5).map((text) => [text, timestampSeconds(text), referenceTimestampSeconds(text)]),
    [],
  );
  const valid = mutations.filter((text) => referenceTimestampSeconds(text) !== undefined).length;
  t.log(`${valid} of the mutations are valid timestamps`);
  t.true(valid > 5_000, 'the mutations include many valid timestamps');
});

test('keys that sanitise to the same name render once even when each was first met alone in another object', (t) => {
  t.deepEqual(lines({ spec: { 'only-alone': 1 } }), [`k8s_pod_spec_only_alone{${id}} 1`]);
  t.deepEqual(lines({ spec: { only_alone: 2 } }), [`k8s_pod_spec_only_alone{${id}} 2`]);
  t.deepEqual(lines({ spec: { 'only-alone': 1, only_alone: 2 } }), [`k8s_pod_spec_only_alone{${id}} 1`]);
  t.deepEqual(lines({ spec: { only_alone: 2, 'only-alone': 1 } }), [`k8s_pod_spec_only_alone{${id}} 2`]);
});
