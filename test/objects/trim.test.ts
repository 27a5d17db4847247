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

const terminated = (message: string) => ({ terminated: { exitCode: 1, reason: 'Error', message } });

const writtenTextCases: ReadonlyArray<{ title: string; object: unknown; trimmed: unknown }> = [
  {
    title: 'container state messages, current and last, of every container list and state',
    object: {
      status: {
        message: 'pod message',
        conditions: [{ type: 'Ready', status: 'False', message: 'condition message' }],
        containerStatuses: [
          { name: 'a', state: terminated('a now'), lastState: terminated('a before'), restartCount: 1 },
          { name: 'b', state: { waiting: { reason: 'CrashLoopBackOff', message: 'b waits' } }, lastState: {} },
        ],
        initContainerStatuses: [{ name: 'i', state: terminated('i now'), lastState: terminated('i before') }],
        ephemeralContainerStatuses: [{ name: 'e', state: { anyState: { message: 'e', detail: 'kept' } } }],
      },
    },
    trimmed: {
      status: {
        message: 'pod message',
        conditions: [{ type: 'Ready', status: 'False', message: 'condition message' }],
        containerStatuses: [
          {
            name: 'a',
            state: { terminated: { exitCode: 1, reason: 'Error' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
            restartCount: 1,
          },
          { name: 'b', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: {} },
        ],
        initContainerStatuses: [
          {
            name: 'i',
            state: { terminated: { exitCode: 1, reason: 'Error' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
        ephemeralContainerStatuses: [{ name: 'e', state: { anyState: { detail: 'kept' } } }],
      },
    },
  },
  {
    title: "a node's machineID, systemUUID and bootID; its software versions stay",
    object: {
      status: {
        nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kubeletVersion: 'v1.32.0', osImage: 'Debian' },
      },
    },
    trimmed: { status: { nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian' } } },
  },
  {
    title: 'malformed shapes are left as they are',
    object: {
      status: {
        containerStatuses: [null, 'x', { state: null, lastState: ['x'] }, { state: { terminated: 'x' } }],
        initContainerStatuses: 'x',
        nodeInfo: ['machineID'],
      },
    },
    trimmed: {
      status: {
        containerStatuses: [null, 'x', { state: null, lastState: ['x'] }, { state: { terminated: 'x' } }],
        initContainerStatuses: 'x',
        nodeInfo: ['machineID'],
      },
    },
  },
  { title: 'a status that is no map', object: { status: 'Running' }, trimmed: { status: 'Running' } },
  { title: 'no object at all', object: 'text', trimmed: 'text' },
  {
    title: 'the same fields below the root are no status: a template or a field of that name elsewhere stays',
    object: { spec: { status: { nodeInfo: { machineID: 'm' } } } },
    trimmed: { spec: { status: { nodeInfo: { machineID: 'm' } } } },
  },
];

for (const { title, object, trimmed } of writtenTextCases) {
  test(`drops text written by containers and machines: ${title}`, (t) => {
    t.deepEqual(trimInPlace(structuredClone(object)), trimmed);
  });
}
