import { readFileSync } from 'node:fs';
import test from 'ava';
import { ClusterCache } from '../../src/cache.js';
import { POD } from '../../src/kinds/table.js';
import { renderLeanix } from '../../src/leanix/v1.js';
import type { KubeObject } from '../../src/objects/kube-object.js';

const pod = POD;
/** The seed document's "Result example" (leanix-exporter.md), with the closing brace the document leaves out. */
const seed = JSON.parse(readFileSync(new URL('../fixtures/leanix-seed.json', import.meta.url), 'utf8'));

/** The API objects the seed's pods came from, as `kubectl get pod -o json` would show them. */
function apiPodsOfSeed(): KubeObject[] {
  return seed.Namespaces.flatMap((namespace: any) =>
    namespace.Pods.map((seedPod: any) => ({
      metadata: {
        name: seedPod.Name,
        namespace: namespace.Name,
        uid: `uid-${seedPod.Name}`,
        annotations: { note: 'never shown' },
      },
      spec: {
        containers: seedPod.ContainerStatuses.map((status: any) => ({
          name: status.name,
          image: status.image,
          env: [{ name: 'TOKEN', value: 'hidden' }],
        })),
      },
      status: { phase: seedPod.Status, hostIP: '10.0.0.1', containerStatuses: seedPod.ContainerStatuses },
    })),
  );
}

function inventory(
  pods: readonly KubeObject[],
  excluded = ['kube-system', 'kube-public'],
  lastUpdate = new Date('2017-07-18T12:32:16.298Z'),
) {
  const cache = new ClusterCache();
  for (const object of pods) cache.upsert(pod, object);
  return renderLeanix(cache.objects(pod), { include: new Set(), exclude: new Set(excluded) }, lastUpdate);
}

test('rebuilds the seed example from the pods it describes', (t) => {
  const kubeSystemPod = {
    metadata: { name: 'kube-dns-1', namespace: 'kube-system' },
    status: { phase: 'Running', containerStatuses: [] },
  };
  const rendered = inventory([...apiPodsOfSeed().reverse(), kubeSystemPod]);
  const { LastUpdate, ...rest } = JSON.parse(JSON.stringify(rendered));
  const { LastUpdate: seedLastUpdate, ...seedRest } = seed;
  t.deepEqual(rest, seedRest);
  // The seed's time has nanoseconds; ours has the milliseconds a JS Date holds.
  t.is(LastUpdate, '2017-07-18T12:32:16.298Z');
  t.is(Date.parse(LastUpdate), Date.parse(seedLastUpdate));
  t.false(JSON.stringify(rendered).includes('hidden'));
  t.false(JSON.stringify(rendered).includes('never shown'));
});

test('namespaces and pods sorted by name; exclusions configurable', (t) => {
  const mk = (name: string, namespace: string) => ({ metadata: { name, namespace }, status: { phase: 'Running' } });
  const pods = [mk('b', 'zeta'), mk('a', 'zeta'), mk('c', 'alpha'), mk('x', 'kube-system')];
  t.deepEqual(
    inventory(pods).Namespaces.map((ns) => [ns.Name, ns.Pods.map((p) => p.Name)]),
    [
      ['alpha', ['c']],
      ['zeta', ['a', 'b']],
    ],
  );
  t.deepEqual(
    inventory(pods, []).Namespaces.map((ns) => ns.Name),
    ['alpha', 'kube-system', 'zeta'],
  );
});

test('a pod without status renders an empty phase and no container statuses; no change yet → null LastUpdate', (t) => {
  const rendered = renderLeanix(
    [{ metadata: { name: 'p', namespace: 'n' } }],
    { include: new Set(), exclude: new Set() },
    undefined,
  );
  t.deepEqual(rendered, {
    Namespaces: [{ Name: 'n', Pods: [{ Name: 'p', Status: '', ContainerStatuses: [] }] }],
    LastUpdate: null,
  });
});
