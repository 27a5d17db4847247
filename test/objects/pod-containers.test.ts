import test from 'ava';
import { podContainers, podFacts } from '../../src/objects/pod-containers.js';

const ID_A = 'containerd://aaaa';
const ID_B = 'containerd://bbbb';

const cases: ReadonlyArray<{ title: string; pod: object; expected: ReturnType<typeof podContainers> }> = [
  {
    title: 'a pending pod: containers from the spec, no IDs yet',
    pod: { spec: { containers: [{ name: 'app', image: 'app:1' }] }, status: { phase: 'Pending' } },
    expected: [{ name: 'app', init: false, containerID: '', image: 'app:1', imageID: '' }],
  },
  {
    title: 'status wins for the image; init containers first, marked',
    pod: {
      spec: {
        initContainers: [{ name: 'app', image: 'app:migrate' }],
        containers: [
          { name: 'app', image: 'app:1' },
          { name: 'side', image: 'side:1' },
        ],
      },
      status: {
        initContainerStatuses: [
          { name: 'app', containerID: ID_A, image: 'docker.io/library/app:migrate', imageID: 'sha256:1' },
        ],
        containerStatuses: [
          { name: 'side', containerID: ID_B, image: 'docker.io/library/side:1', imageID: 'sha256:2' },
        ],
      },
    },
    expected: [
      { name: 'app', init: true, containerID: ID_A, image: 'docker.io/library/app:migrate', imageID: 'sha256:1' },
      { name: 'app', init: false, containerID: '', image: 'app:1', imageID: '' },
      { name: 'side', init: false, containerID: ID_B, image: 'docker.io/library/side:1', imageID: 'sha256:2' },
    ],
  },
  {
    title: 'a status without a spec entry is still listed',
    pod: { status: { containerStatuses: [{ name: 'x', containerID: ID_A, image: 'x:1', imageID: '' }] } },
    expected: [{ name: 'x', init: false, containerID: ID_A, image: 'x:1', imageID: '' }],
  },
  {
    title: 'malformed fields are ignored, not thrown on',
    pod: {
      spec: { containers: 'nope', initContainers: [null, { name: 7 }] },
      status: { containerStatuses: [{ name: 'y', containerID: 5 }] },
    },
    expected: [{ name: 'y', init: false, containerID: '', image: '', imageID: '' }],
  },
  { title: 'no spec, no status', pod: {}, expected: [] },
];

for (const { title, pod, expected } of cases) {
  test(`podContainers: ${title}`, (t) => {
    t.deepEqual(podContainers(pod), expected);
  });
}

test('podFacts reads the pod fields the views need, empty when missing', (t) => {
  t.deepEqual(
    podFacts({
      metadata: { name: 'p', namespace: 'ns', uid: 'u-1', deletionTimestamp: '2024-01-01T00:00:00Z' },
      spec: { nodeName: 'node-1' },
      status: {
        phase: 'Running',
        hostIP: '10.0.0.1',
        podIP: '10.244.0.5',
        qosClass: 'Burstable',
        startTime: '2024-01-01T00:00:00Z',
      },
    }),
    {
      namespace: 'ns',
      name: 'p',
      uid: 'u-1',
      nodeName: 'node-1',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.5',
      qosClass: 'Burstable',
      startTime: '2024-01-01T00:00:00Z',
      phase: 'Running',
      deletionRequested: true,
    },
  );
  t.deepEqual(podFacts({ metadata: { name: 'p' } }), {
    namespace: '',
    name: 'p',
    uid: '',
    nodeName: '',
    hostIP: '',
    podIP: '',
    qosClass: '',
    startTime: '',
    phase: '',
    deletionRequested: false,
  });
});
