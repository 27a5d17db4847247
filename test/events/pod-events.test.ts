import test from 'ava';
import { containerMetadata, podEvents } from '../../src/events/pod-events.js';
import { scheduledPod } from '../support/builders/objects.js';

interface PodState {
  readonly uid?: string;
  readonly phase?: string;
  readonly deleting?: boolean;
  readonly ids?: readonly string[];
}

function aPod({ uid = 'u1', phase = 'Pending', deleting = false, ids = [] }: PodState) {
  return scheduledPod('web-1', {
    metadata: { uid, ...(deleting ? { deletionTimestamp: '2024-01-01T00:01:00Z' } : {}) },
    status: {
      phase,
      containerStatuses: ids.map((containerID, index) => ({
        name: index === 0 ? 'app' : `app-${index}`,
        containerID,
        image: 'web:1',
      })),
    },
  });
}

const pending = aPod({});
const running = aPod({ phase: 'Running', ids: ['c://1'] });
const cases: ReadonlyArray<{ title: string; previous?: object; current?: object; expected: string[] }> = [
  { title: 'a new pending pod', current: pending, expected: ['create u1', 'pending u1'] },
  {
    title: 'a new pod seen running (initial list, or created during a watch gap)',
    current: running,
    expected: ['create u1', 'running u1'],
  },
  {
    title: 'a new pod already being deleted',
    current: aPod({ phase: 'Running', deleting: true }),
    expected: ['create u1', 'shutdown u1'],
  },
  { title: 'a new pod that already completed', current: aPod({ phase: 'Succeeded' }), expected: ['create u1'] },
  { title: 'pending to running', previous: pending, current: running, expected: ['running u1'] },
  {
    title: 'pending to pending (status detail changed)',
    previous: pending,
    current: aPod({ ids: ['c://0'] }),
    expected: [],
  },
  { title: 'the same version again (resync, relist)', previous: running, current: running, expected: [] },
  {
    title: 'running with a new container ID (restart)',
    previous: running,
    current: aPod({ phase: 'Running', ids: ['c://2'] }),
    expected: ['running u1'],
  },
  {
    title: 'running, a container ID went away only',
    previous: aPod({ phase: 'Running', ids: ['c://1', 'c://2'] }),
    current: running,
    expected: [],
  },
  {
    title: 'deletion requested',
    previous: running,
    current: aPod({ phase: 'Running', ids: ['c://1'], deleting: true }),
    expected: ['shutdown u1'],
  },
  {
    title: 'still shutting down',
    previous: aPod({ phase: 'Running', deleting: true }),
    current: aPod({ phase: 'Succeeded', deleting: true }),
    expected: [],
  },
  {
    title: 'running to succeeded: no lifecycle event',
    previous: running,
    current: aPod({ phase: 'Succeeded' }),
    expected: [],
  },
  { title: 'deleted', previous: running, expected: ['delete u1'] },
  {
    title: 'replaced under the same name during a gap',
    previous: running,
    current: aPod({ uid: 'u2' }),
    expected: ['delete u1', 'create u2', 'pending u2'],
  },
  {
    title: 'objects without uid are compared by state only',
    previous: aPod({ uid: '' }),
    current: aPod({ uid: '', phase: 'Running' }),
    expected: ['running '],
  },
  { title: 'nothing before and after', expected: [] },
];

for (const { title, previous, current, expected } of cases) {
  test(`podEvents: ${title}`, (t) => {
    t.deepEqual(
      podEvents(previous, current).map(({ type, pod }) => `${type} ${(pod as any).metadata.uid}`),
      expected,
    );
  });
}

test('container metadata has the adapter document shape, plus namespace, one entry per container', (t) => {
  const pod = {
    metadata: {
      name: 'nginx-deployment-66b6c48dd5-vd2jt',
      namespace: 'default',
      uid: '12b379f7-ef99-46e5-8125-0129a27bd799',
    },
    spec: {
      nodeName: 'pod-host',
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'nginx', image: 'nginx:1.14.2' }],
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.1.2',
      podIP: '10.42.1.95',
      qosClass: 'BestEffort',
      startTime: '2021-08-17T18:29:58Z',
      initContainerStatuses: [
        { name: 'init', containerID: 'containerd://1111', image: 'docker.io/library/busybox:latest' },
      ],
      containerStatuses: [
        {
          name: 'nginx',
          containerID: 'containerd://11e9220bd2b450ed40132bcd5cdc3c115b93c69d02c37d844fec7574026edff3',
          image: 'docker.io/library/nginx:1.14.2',
        },
      ],
    },
  };
  const [init, nginx] = containerMetadata(pod);
  t.is(
    JSON.stringify(nginx),
    '{"podUid":"12b379f7-ef99-46e5-8125-0129a27bd799","containerID":"containerd://11e9220bd2b450ed40132bcd5cdc3c115b93c69d02c37d844fec7574026edff3","image":"docker.io/library/nginx:1.14.2","podName":"nginx-deployment-66b6c48dd5-vd2jt","hostIP":"10.0.1.2","name":"nginx","nodeName":"pod-host","podIP":"10.42.1.95","qosClass":"BestEffort","startTime":"2021-08-17T18:29:58Z","namespace":"default"}',
  );
  t.is(init.name, 'init');
  t.is(init.containerID, 'containerd://1111');
  t.deepEqual(containerMetadata({ metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a:1' }] } }), [
    {
      podUid: '',
      containerID: '',
      image: 'a:1',
      podName: 'p',
      hostIP: '',
      name: 'a',
      nodeName: '',
      podIP: '',
      qosClass: '',
      startTime: '',
      namespace: '',
    },
  ]);
});
