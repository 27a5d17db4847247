import test from 'ava';
import { trimObject } from '../src/trim.js';

test('drops managedFields, annotations, env and envFrom at any depth and keeps the rest', (t) => {
  const object = {
    metadata: { name: 'p', labels: { app: 'x' }, annotations: { a: 'b' }, managedFields: [{ manager: 'kubectl' }] },
    spec: {
      containers: [{ name: 'c', image: 'i', env: [{ name: 'PASSWORD', value: 'x' }], envFrom: [{ secretRef: { name: 's' } }] }],
      template: { metadata: { annotations: { t: 'u' } } },
    },
    status: { phase: 'Running', ready: true, count: 0, nothing: null },
  };
  t.deepEqual(trimObject(object), {
    metadata: { name: 'p', labels: { app: 'x' } },
    spec: { containers: [{ name: 'c', image: 'i' }], template: { metadata: {} } },
    status: { phase: 'Running', ready: true, count: 0, nothing: null },
  });
});

test('returns a copy: later changes to the source do not leak into the cache', (t) => {
  const source = { spec: { list: [{ v: 1 }] } };
  const trimmed = trimObject(source);
  source.spec.list[0].v = 2;
  t.is(trimmed.spec.list[0].v, 1);
});
