import test from 'ava';
import { ClusterCache } from '../../src/cache.js';
import { KINDS } from '../../src/kinds/table.js';
import { DeploymentHistory } from '../../src/leanix/deployment-history.js';
import { LDIF_KINDS, leanixDocuments } from '../../src/leanix/documents.js';

// The exporter wakes the LDIF pusher only for LDIF_KINDS: a kind missing there would leave LeanIX stale.
for (const kind of KINDS) {
  const readByLdif = LDIF_KINDS.has(kind.metricName);
  test(`a new ${kind.kind} ${readByLdif ? 'changes' : 'leaves'} the LDIF, as LDIF_KINDS says`, (t) => {
    const cache = new ClusterCache();
    const history = new DeploymentHistory({ perDeployment: 10, total: 100, startedAt: new Date(0) });
    cache.onChange((change) => history.observe(change));
    const filter = { include: new Set<string>(), exclude: new Set<string>() };
    const documents = leanixDocuments({
      cache,
      history,
      filter,
      ldifHeader: { connectorId: 'c', connectorVersion: '1.0.0' },
    });
    const before = JSON.stringify(documents.ldif());
    const metadata = { name: 'x', uid: 'uid-x', generation: 1, ...(kind.namespaced ? { namespace: 'default' } : {}) };
    cache.upsert(kind, { metadata, spec: { replicas: 1 }, status: { replicas: 1 } });
    t.is(JSON.stringify(documents.ldif()) !== before, readByLdif);
  });
}
