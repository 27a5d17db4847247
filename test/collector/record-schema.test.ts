import test from 'ava';
import { validateRecord } from '../../src/collector/record-schema.js';

// The seed documents' examples (their trailing commas removed: they are not valid JSON as printed).
const SEED_NODE = {
  status: {
    capacity: { cpu: '1', memory: '505020Ki', pods: '40' },
    nodeInfo: {
      osImage: 'CoreOS 738.1.0',
      kernelVersion: '4.0.7-coreos-r2',
      kubeletVersion: 'v1.0.3',
      containerRuntimeVersion: 'docker://1.6.2',
    },
  },
};
const SPARTAKUS_SEED = {
  metadata: { timestamp: '1437174715' },
  payload: { clusterID: '612e0f99-1912-4647-831d-ba4c3d918b66', nodes: [SEED_NODE] },
};
const TECTONIC_SEED = {
  accountID: '238dcbc5-4562-4fe3-9d8b-dc67911a7376',
  accountSecret: 'dhaowd2n3ngsj3d-9',
  metadata: { generated_at: '1437174715' },
  payload: { clusterID: '612e0f99-1912-4647-831d-ba4c3d918b66', kubernetesNodes: [SEED_NODE] },
};

test('the spartakus seed example is valid', (t) => {
  t.deepEqual(validateRecord('spartakus', SPARTAKUS_SEED), {
    ok: true,
    record: {
      format: 'spartakus',
      clusterId: SPARTAKUS_SEED.payload.clusterID,
      accountId: undefined,
      metadata: SPARTAKUS_SEED.metadata,
      payload: SPARTAKUS_SEED.payload,
    },
  });
});

test('the tectonic seed example is valid; the record keeps accountID, not accountSecret', (t) => {
  const result = validateRecord('tectonic', TECTONIC_SEED);
  t.true(result.ok);
  if (!result.ok) return;
  t.is(result.record.accountId, TECTONIC_SEED.accountID);
  t.false(JSON.stringify(result.record).includes(TECTONIC_SEED.accountSecret));
});

test('metadata is optional (the volunteer fills it, but need not)', (t) => {
  t.true(validateRecord('spartakus', { payload: SPARTAKUS_SEED.payload }).ok);
  t.like(validateRecord('spartakus', { payload: SPARTAKUS_SEED.payload }), { record: { metadata: {} } });
});

const invalid: ReadonlyArray<readonly [string, 'spartakus' | 'tectonic', unknown, string]> = [
  ['null', 'spartakus', null, 'body must be object'],
  ['a string', 'spartakus', 'report', 'body must be object'],
  ['no payload', 'spartakus', { metadata: {} }, "body must have required property 'payload'"],
  ['no nodes', 'spartakus', { payload: { clusterID: 'c' } }, "body/payload must have required property 'nodes'"],
  [
    'blank clusterID',
    'spartakus',
    { payload: { clusterID: '  ', nodes: [] } },
    'body/payload/clusterID must match pattern "\\S"',
  ],
  [
    'capacity not strings',
    'spartakus',
    { payload: { clusterID: 'c', nodes: [{ status: { capacity: { cpu: 2 } } }] } },
    'body/payload/nodes/0/status/capacity/cpu must be string',
  ],
  [
    'node not an object',
    'spartakus',
    { payload: { clusterID: 'c', nodes: ['n'] } },
    'body/payload/nodes/0 must be object',
  ],
  [
    'metadata value not a string',
    'spartakus',
    { metadata: { source: 1 }, payload: { clusterID: 'c', nodes: [] } },
    'body/metadata/source must be string',
  ],
  [
    'generated_at not seconds',
    'tectonic',
    { ...TECTONIC_SEED, metadata: { generated_at: '2015-07-17' } },
    'body/metadata/generated_at must match pattern "^[0-9]{1,12}$"',
  ],
  [
    'empty accountID',
    'tectonic',
    { ...TECTONIC_SEED, accountID: '' },
    'body/accountID must NOT have fewer than 1 characters',
  ],
  [
    'every error is named',
    'tectonic',
    { payload: { clusterID: 'c', kubernetesNodes: [] } },
    "body must have required property 'accountID'; body must have required property 'accountSecret'",
  ],
  [
    'a tectonic payload that also carries nodes (it once made every summary 503)',
    'tectonic',
    { ...TECTONIC_SEED, payload: { ...TECTONIC_SEED.payload, nodes: 'x' } },
    'body/payload must NOT have additional properties (nodes)',
  ],
  [
    'a spartakus payload that also carries kubernetesNodes',
    'spartakus',
    { payload: { ...SPARTAKUS_SEED.payload, kubernetesNodes: {} } },
    'body/payload must NOT have additional properties (kubernetesNodes)',
  ],
  [
    'an unknown member beside the payload',
    'spartakus',
    { ...SPARTAKUS_SEED, extra: 1 },
    'body must NOT have additional properties (extra)',
  ],
  [
    'a node with more than status',
    'spartakus',
    { payload: { clusterID: 'c', nodes: [{ ...SEED_NODE, metadata: { name: 'n' } }] } },
    'body/payload/nodes/0 must NOT have additional properties (metadata)',
  ],
  [
    'a node status with more than capacity and nodeInfo',
    'tectonic',
    { ...TECTONIC_SEED, payload: { clusterID: 'c', kubernetesNodes: [{ status: { addresses: [] } }] } },
    'body/payload/kubernetesNodes/0/status must NOT have additional properties (addresses)',
  ],
  [
    'metadata with more than 64 entries',
    'spartakus',
    {
      metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
      payload: SPARTAKUS_SEED.payload,
    },
    'body/metadata must NOT have more than 64 properties',
  ],
];

for (const [name, format, body, message] of invalid) {
  test(`invalid ${format}: ${name}`, (t) => {
    t.deepEqual(validateRecord(format, body), { ok: false, message });
  });
}
