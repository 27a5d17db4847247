import test from 'ava';
import { fnv1a64, keepsObject, shardingOf, shardOf } from '../../src/kube/sharding.js';

// Reference values of FNV-1a 64 (as Go's hash/fnv New64a computes them).
const vectors: ReadonlyArray<readonly [string, bigint]> = [
  ['', 0xcbf29ce484222325n],
  ['a', 0xaf63dc4c8601ec8cn],
  ['foobar', 0x85944171f73967e8n],
  ['ü', 0x0ac20a07b71807ean], // UTF-8 bytes c3 bc
];

for (const [text, hash] of vectors) {
  test(`fnv1a64(${JSON.stringify(text)})`, (t) => {
    t.is(fnv1a64(text), hash);
  });
}

test('shardOf is the hash modulo the total, and spreads UIDs over every shard', (t) => {
  t.is(shardOf('a', 7), Number(0xaf63dc4c8601ec8cn % 7n));
  const uids = Array.from(
    { length: 3000 },
    (_, index) => `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
  );
  const counts = [0, 0, 0];
  for (const uid of uids) counts[shardOf(uid, 3)] += 1;
  for (const count of counts) t.true(count > 800 && count < 1200, `balanced: ${counts}`);
});

test('keepsObject: each object in exactly one shard; one shard keeps everything', (t) => {
  const objects = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((uid) => ({ metadata: { name: uid, uid } }));
  const shards = [0, 1, 2].map((shard) => keepsObject({ shard, total: 3 }));
  for (const object of objects) t.is(shards.filter((keeps) => keeps(object)).length, 1);
  t.true(objects.every(keepsObject({ shard: 0, total: 1 })));
  t.false(objects.some(keepsObject({ shard: 3, total: 3 })), 'a replica beyond the total (scaling down) keeps nothing');
});

const shardings: ReadonlyArray<readonly [object, object | string]> = [
  [
    { shard: 0, totalShards: 1 },
    { mode: 'static', shard: { shard: 0, total: 1 } },
  ],
  [
    { shard: 2, totalShards: 3 },
    { mode: 'static', shard: { shard: 2, total: 3 } },
  ],
  [{ shard: 3, totalShards: 3 }, '--shard 3 needs --total-shards above it (got 3)'],
  [
    { shard: 0, totalShards: 1, pod: 'kube-api-exporter-12', podNamespace: 'm' },
    { mode: 'statefulset', namespace: 'm', statefulSet: 'kube-api-exporter', ordinal: 12 },
  ],
  [
    { shard: 0, totalShards: 1, pod: 'exporter-abc12', podNamespace: 'm' },
    '--pod "exporter-abc12" is not a StatefulSet pod name (<statefulset>-<ordinal>)',
  ],
  [{ shard: 0, totalShards: 1, pod: 'e-0' }, '--pod (auto-sharding) needs --pod-namespace'],
  [
    { shard: 0, totalShards: 2, pod: 'e-0', podNamespace: 'm' },
    '--pod (auto-sharding) takes the shard from the pod name: leave --shard and --total-shards unset',
  ],
];

for (const [config, expected] of shardings) {
  test(`shardingOf(${JSON.stringify(config)})`, (t) => {
    const run = () => shardingOf(config as Parameters<typeof shardingOf>[0]);
    if (typeof expected === 'string') t.throws(run, { message: expected });
    else t.deepEqual(run(), expected);
  });
}
