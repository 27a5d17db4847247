import test from 'ava';
import { isSameJson, shareEqualParts } from '../../src/objects/kube-object.js';

/** Nested `levels` deep: { a: { a: ... { value } } }. */
function nested(levels: number, value: unknown): unknown {
  let object: unknown = { value };
  for (let level = 0; level < levels; level++) object = { a: object };
  return object;
}

/** A deep copy of a JSON value, without recursion: structuredClone overflows the stack on the deepest cases. */
function copyJson(value: unknown): unknown {
  const root = { value };
  const pending: Array<Record<string, unknown>> = [root];
  while (pending.length > 0) {
    const holder = pending.pop()!;
    for (const key of Object.keys(holder)) {
      const item = holder[key];
      if (item === null || typeof item !== 'object') continue;
      const copy = Array.isArray(item) ? [...item] : { ...item };
      holder[key] = copy;
      pending.push(copy as Record<string, unknown>);
    }
  }
  return root.value;
}

const cases: ReadonlyArray<readonly [string, unknown, unknown, boolean]> = [
  ['equal scalars', 1, 1, true],
  ['different numbers', 1, 2, false],
  ['a number and its string', 1, '1', false],
  ['null and an empty object', null, {}, false],
  ['null and null', null, null, true],
  ['equal objects, keys in another order', { a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
  ['a value deep in a list differs', { a: [{ b: [1, 2] }] }, { a: [{ b: [1, 3] }] }, false],
  ['a key missing', { a: 1, b: 2 }, { a: 1, c: 2 }, false],
  ['one key more', { a: 1 }, { a: 1, b: 2 }, false],
  ['a key present as undefined is not a missing key', { a: undefined }, {}, false],
  ['a list and an object with index keys', [1], { 0: 1 }, false],
  ['lists of different lengths', [1, 2], [1, 2, 3], false],
  ['an empty list and an empty object', [], {}, false],
  ['booleans', { ok: true }, { ok: false }, false],
  ['50,000 levels deep, equal', nested(50_000, 1), nested(50_000, 1), true],
  ['50,000 levels deep, differing at the bottom', nested(50_000, 1), nested(50_000, 2), false],
];

for (const [name, a, b, same] of cases) {
  test(`isSameJson: ${name}`, (t) => {
    t.is(isSameJson(a, b), same);
    t.is(isSameJson(b, a), same, 'either way round');
  });
  test(`shareEqualParts tells equality as isSameJson does, and leaves the values equal as they were: ${name}`, (t) => {
    const [previous, next] = [copyJson(a), copyJson(b)];
    t.is(shareEqualParts(previous, next), same);
    t.is(shareEqualParts(copyJson(b), copyJson(a)), same, 'either way round');
    t.true(isSameJson(previous, a) && isSameJson(next, b), 'neither changed as JSON');
  });
}

/** A pod as two watch events bring it: the second with a new resourceVersion and the first container restarted. */
function podVersions() {
  const pod = (resourceVersion: string, restartCount: number) => ({
    metadata: { name: 'a', resourceVersion, labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', ports: [{ containerPort: 80 }] }, { name: 'sidecar' }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'app', restartCount, state: { running: { startedAt: 'x' } } },
        { name: 'sidecar', restartCount: 0 },
      ],
    },
  });
  return [pod('1', 0), pod('2', 1)] as const;
}

test('shareEqualParts: below the top-level fields, what equals the previous version is replaced by it', (t) => {
  const [previous, next] = podVersions();
  t.false(shareEqualParts(previous, next));
  t.is(next.spec.containers, previous.spec.containers, 'an unchanged list');
  t.is(next.metadata.labels, previous.metadata.labels);
  t.is(next.status.conditions, previous.status.conditions);
  t.is(next.status.containerStatuses[1], previous.status.containerStatuses[1], 'an unchanged element');
  t.is(next.status.containerStatuses[0].state, previous.status.containerStatuses[0].state);
  t.not(next.status.containerStatuses[0], previous.status.containerStatuses[0], 'the element that changed');
  t.not(next.status.containerStatuses, previous.status.containerStatuses, 'the list around it');
  t.is(next.status.containerStatuses[0].restartCount, 1);
  for (const field of ['metadata', 'spec', 'status'] as const) {
    t.not(next[field], previous[field], `${field}: the top-level fields stay the object's own`);
  }
  t.is(next.metadata.resourceVersion, '2');
  t.is(previous.status.containerStatuses[0].restartCount, 0, 'the previous version is not modified');
});

test('shareEqualParts keeps an own __proto__ key an own key, and compares below 50,000 levels without sharing', (t) => {
  const previous = JSON.parse('{"spec":{"x":{"__proto__":{"polluted":true}}}}');
  const next = JSON.parse('{"spec":{"x":{"__proto__":{"polluted":true}}}}');
  t.true(shareEqualParts(previous, next));
  t.is(Object.getPrototypeOf(next.spec.x), Object.prototype);
  t.true(Object.hasOwn(next.spec.x, '__proto__'));
  t.is(({} as { polluted?: boolean }).polluted, undefined);
  const deepPrevious = { spec: nested(50_000, 1) };
  const deepNext = { spec: nested(50_000, 1) };
  t.true(shareEqualParts(deepPrevious, deepNext));
});
