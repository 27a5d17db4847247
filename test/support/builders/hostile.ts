/**
 * Generated Kubernetes-shaped objects with hostile content, for the fuzzer: keys with dots, dashes, slashes, unicode
 * and leading digits; huge, negative, fractional and exponent numbers; numeric strings that are not quantities;
 * names with quotes, backslashes, newlines and lone surrogates; keys that name the pod's own container info family;
 * deep nesting and long lists.
 */

import type { KindSpec } from '../../../src/kinds/table.js';
import type { Random } from '../harness/random.js';

const KEYS = [
  'a.b',
  'a-b',
  'a_b',
  'a/b',
  'kubernetes.io/hostname',
  'ключ',
  '日本語',
  'emoji😀',
  '1abc',
  '9',
  '0',
  '',
  ' ',
  'a b',
  'A',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '__name__',
  'le',
  'quantile',
  'name',
  'namespace',
  'type',
  'items',
  'conditions',
  'containers',
  'requests',
  'limits',
  'capacity',
  'status',
  'value',
  'annotations',
  'env',
  'a\nb',
  'a"b',
  'a\\b',
  'tab\there',
  'ü',
  'ß',
  'İ',
  'ﬀ',
  '\u200b',
  'x'.repeat(300),
  // Sanitise to the pod's own family k8s_pod_container_info at the root of a pod.
  'container.info',
  'container_info',
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  42,
  -42,
  3.5,
  -0.000001,
  0.1 + 0.2,
  1e21,
  1e-7,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  5e-324,
  Number.MAX_SAFE_INTEGER + 2,
  123456789012345680000,
  Infinity,
  -Infinity,
  2 ** 63,
  -(2 ** 31),
];

const NUMERIC_STRINGS = [
  '12',
  '1.5',
  '-3',
  '0x1F',
  '1e5',
  '1e400',
  '0e400',
  '-1e400',
  '  3',
  '3  ',
  'Infinity',
  '-Infinity',
  'NaN',
  '1,000',
  '١٢٣',
  '12abc',
  '--1',
  '+',
  '.',
  '1..2',
  '1Ki',
  '1.5Gi',
  '250m',
  '1E',
  '1e',
  'Ki',
  '2024-01-01T00:00:00Z',
  '2024-13-45T99:99:99Z',
  '9999-12-31T23:59:59.999999999+14:00',
  '0000-01-01T00:00:00Z',
  'True',
  'False',
  'Unknown',
  'true',
  '',
];

const LABEL_TEXTS = [
  'app',
  'a"b',
  'a\\b',
  'a\nb',
  'a\\"\n',
  '\\n',
  '"',
  '\\',
  'ünïcödé',
  '日本',
  '😀',
  ' ',
  '{}',
  '=',
  ',',
  'a,b="c"',
  // Lone surrogates: UTF-8 cannot carry them, so values differing only there would be written alike.
  '\uD800',
  'x\uDC00',
  '\uD83D',
];

function hostileKey(random: Random): string {
  if (random.chance(0.6)) return random.pick(KEYS);
  const length = random.int(1, 12);
  let key = '';
  for (let index = 0; index < length; index++)
    key += String.fromCodePoint(random.pick([random.int(32, 126), random.int(0xa0, 0x2fff)]));
  return key;
}

function hostileText(random: Random): string {
  if (random.chance(0.1)) return random.pick(LABEL_TEXTS).repeat(random.int(50, 400));
  return random.chance(0.5)
    ? random.pick(LABEL_TEXTS)
    : `${random.pick(LABEL_TEXTS)}${random.int(0, 99)}${random.pick(LABEL_TEXTS)}`;
}

function leaf(random: Random): unknown {
  switch (random.int(0, 5)) {
    case 0:
      return random.pick(NUMBERS);
    case 1:
      return (random.next() - 0.5) * 10 ** random.int(-10, 30);
    case 2:
      return random.pick(NUMERIC_STRINGS);
    case 3:
      return random.chance(0.5);
    case 4:
      return null;
    default:
      return hostileText(random);
  }
}

function value(random: Random, depth: number): unknown {
  if (depth <= 0 || random.chance(0.4)) return leaf(random);
  if (random.chance(0.3)) return list(random, depth - 1);
  const map: Record<string, unknown> = {};
  for (let index = random.int(1, 4); index > 0; index--) map[hostileKey(random)] = value(random, depth - 1);
  return map;
}

function list(random: Random, depth: number): unknown[] {
  if (random.chance(0.02)) {
    // Long lists, of plain elements so objects stay affordable in bulk.
    const length = random.int(200, 1500);
    return Array.from({ length }, (_, index) =>
      random.chance(0.5) ? leaf(random) : { name: `${hostileText(random)}-${index}`, v: leaf(random) },
    );
  }
  const style = random.int(0, 3);
  return Array.from({ length: random.int(0, 4) }, (_, index) => {
    if (style === 0) return leaf(random);
    if (style === 3) return [leaf(random), leaf(random)];
    const element = value(random, depth);
    const map =
      element !== null && typeof element === 'object' && !Array.isArray(element)
        ? (element as Record<string, unknown>)
        : { v: element };
    // Natural keys: sometimes unique, sometimes repeated, sometimes hostile.
    if (style === 1) map.name = random.chance(0.8) ? `${hostileText(random)}-${index}` : hostileText(random);
    else map.type = random.pick(['Ready', 'Ready', hostileText(random)]);
    return map;
  });
}

/** A chain of single-key maps (and lists), `depth` levels deep. */
function nested(random: Random, depth: number): unknown {
  let inner: unknown = random.pick(NUMBERS);
  for (let level = 0; level < depth; level++) inner = random.chance(0.2) ? [inner] : { [hostileKey(random)]: inner };
  return inner;
}

export interface HostileObject {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [field: string]: unknown };
  [field: string]: unknown;
}

/** `maxNesting` bounds the deep chains (structuredClone in the simulated API server recurses). */
export function hostileObject(kind: KindSpec, random: Random, name: string, maxNesting = 5000): HostileObject {
  const metadata = {
    name,
    namespace: kind.namespaced ? (random.chance(0.7) ? 'default' : hostileText(random)) : undefined,
    annotations: { 'secret.example/token': 'never-exported-annotation' },
    labels: { [hostileKey(random)]: hostileText(random) },
    generation: random.pick(NUMBERS),
    creationTimestamp: random.pick(NUMERIC_STRINGS),
  };
  const object: HostileObject = {
    metadata,
    spec: value(random, 3),
    status: {
      conditions: list(random, 2),
      containerStatuses: [
        {
          name: hostileText(random),
          // Pods then have k8s_pod_container_info series, with hostile labels.
          containerID: random.chance(0.5) ? `containerd://${hostileText(random)}` : undefined,
          image: hostileText(random),
          restartCount: random.pick(NUMBERS),
          env: [{ name: 'PASSWORD', value: 'never-exported-env' }],
        },
      ],
      capacity: { [hostileKey(random)]: random.pick(NUMERIC_STRINGS), cpu: random.pick(NUMERIC_STRINGS) },
    },
  };
  for (let index = random.int(0, 3); index > 0; index--) object[hostileKey(random)] = value(random, 3);
  if (random.chance(0.05))
    object.deep = nested(
      random,
      Math.min(maxNesting, random.chance(0.05) ? random.int(1000, 5000) : random.int(13, 100)),
    );
  return object;
}

/** An object name: mostly plain, sometimes hostile, sometimes very long. */
export function hostileName(random: Random, index: number): string {
  if (random.chance(0.7)) return `obj-${index}`;
  return `${hostileText(random)}-${index}`;
}
