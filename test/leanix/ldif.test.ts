import test from 'ava';
import { renderLdif } from '../../src/leanix/ldif.js';
import type { NamespaceFilter } from '../../src/leanix/namespace-filter.js';
import { renderLeanixV2 } from '../../src/leanix/v2.js';
import { assertGolden } from '../support/assertions/golden.js';
import { DEMO_LAST_UPDATE, DEMO_NOW, demoInventory } from '../support/builders/demo-inventory.js';

const FILTER: NamespaceFilter = { include: new Set(), exclude: new Set(['kube-system', 'kube-public']) };
const HEADER = { connectorId: 'demo-cluster', connectorVersion: '1.0.0' };

function demoLdif() {
  const { history, objects } = demoInventory();
  return renderLdif(renderLeanixV2(objects, FILTER, DEMO_LAST_UPDATE, history.view(FILTER, DEMO_NOW)), HEADER);
}

test('LDIF of the demo cluster matches its golden file', (t) => {
  assertGolden(t, 'leanix-ldif-demo.json', demoLdif());
});

test('LDIF header as the Integration API documents it; one entry per object, its uid as id', (t) => {
  const { content, ...header } = demoLdif();
  t.deepEqual(header, {
    connectorType: 'Kubernetes',
    connectorId: 'demo-cluster',
    connectorVersion: '1.0.0',
    lxVersion: '1.0.0',
    description: 'Kubernetes inventory from kube-api-exporter',
    processingDirection: 'inbound',
    processingMode: 'full',
  });
  const { objects } = demoInventory();
  const visible = (list: Iterable<any>) =>
    [...list].filter((object) => !FILTER.exclude.has(object.metadata.namespace ?? ''));
  const expectedIds = [
    ...visible(objects.nodes),
    ...visible(objects.services),
    ...visible(objects.deployments),
    ...visible(objects.pods),
  ].map((object) => object.metadata.uid);
  t.deepEqual(
    content
      .slice(1)
      .map((entry) => entry.id)
      .sort(),
    expectedIds.sort(),
  );
  t.deepEqual(content[0], {
    type: 'Cluster',
    id: 'demo-cluster',
    data: { name: 'demo-cluster', resources: content[0].data.resources },
  });
  t.is(new Set(content.map((entry) => entry.id)).size, content.length);
  const deployment = content.find((entry) => entry.type === 'Deployment')!;
  t.deepEqual(
    (deployment.data.rollouts as any[]).map((rollout) => [rollout.generation, rollout.outcome]),
    [[3, 'completed']],
  );
});

test('LDIF does not depend on the clock: an unchanged cluster renders the same document later', (t) => {
  const { history, objects } = demoInventory();
  const at = (now: Date) =>
    JSON.stringify(renderLdif(renderLeanixV2(objects, FILTER, now, history.view(FILTER, now)), HEADER));
  t.is(at(DEMO_NOW), at(new Date('2027-01-01T00:00:00.000Z')));
});

test('an object without uid gets its kind, namespace and name as id', (t) => {
  const ldif = renderLdif(
    renderLeanixV2(
      {
        services: [],
        deployments: [],
        nodes: [],
        pods: [{ metadata: { name: 'p', namespace: 'n' } }],
        statefulSets: [],
        daemonSets: [],
      },
      { include: new Set(), exclude: new Set() },
      undefined,
      { since: '', countsCompleteSince: '', limits: { perDeployment: 1, total: 1 }, counts: {}, rollouts: [] },
    ),
    HEADER,
  );
  t.deepEqual(
    ldif.content.map((entry) => entry.id),
    ['demo-cluster', 'Pod/n/p'],
  );
});
