import test from 'ava';
import { trimInPlace } from '../../src/objects/trim.js';

test('drops managedFields, annotations, env and envFrom (maps and lists) at any depth and keeps the rest, labels of those names too', (t) => {
  const object = {
    metadata: {
      name: 'p',
      labels: { app: 'x', env: 'prod', annotations: 'kept' },
      annotations: { a: 'b' },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: {
      containers: [
        { name: 'c', image: 'i', env: [{ name: 'PASSWORD', value: 'x' }], envFrom: [{ secretRef: { name: 's' } }] },
      ],
      template: { metadata: { annotations: { t: 'u' } } },
    },
    status: { phase: 'Running', ready: true, count: 0, nothing: null },
  };
  t.deepEqual(trimInPlace(object), {
    metadata: { name: 'p', labels: { app: 'x', env: 'prod', annotations: 'kept' } },
    spec: { containers: [{ name: 'c', image: 'i' }], template: { metadata: {} } },
    status: { phase: 'Running', ready: true, count: 0, nothing: null },
  });
});

test('trims the object it is given, so no untrimmed copy stays behind', (t) => {
  const source = { metadata: { name: 'p', annotations: { a: 'b' } }, spec: { list: [{ v: 1, env: [] }] } };
  t.is(trimInPlace(source), source);
  t.false('annotations' in source.metadata);
  t.false('env' in source.spec.list[0]);
});
