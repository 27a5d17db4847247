import { crc32 } from 'node:zlib';
import test from 'ava';
import { crc32CombineShifted, crc32Shift } from '../../src/http/crc32-combine.js';

const crc32Combine = (crcA: number, crcB: number, lengthB: number) =>
  crc32CombineShifted(crcA, crcB, crc32Shift(lengthB));

const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 256));

const cases: ReadonlyArray<readonly [string, Buffer, Buffer]> = [
  ['both empty', Buffer.alloc(0), Buffer.alloc(0)],
  ['empty first', Buffer.alloc(0), Buffer.from('abc')],
  ['empty second', Buffer.from('abc'), Buffer.alloc(0)],
  ['one byte each', Buffer.from('a'), Buffer.from('b')],
  ['text', Buffer.from('# HELP k8s_pod_info x\n'), Buffer.from('k8s_pod_info{name="a"} 1\n')],
  ['lengths not powers of two', bytes(1000, 1), bytes(12_345, 7)],
  ['a long second part', bytes(70, 3), bytes(3 * 1024 * 1024 + 17, 11)],
];

for (const [name, a, b] of cases) {
  test(`crc32Combine equals the CRC-32 of the concatenation: ${name}`, (t) => {
    t.is(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
  });
}

test('crc32Combine folds over many parts as one CRC-32 of them all', (t) => {
  const parts = Array.from({ length: 50 }, (_, index) => bytes(index * 97, index));
  const folded = parts.reduce((crc, part) => crc32Combine(crc, crc32(part), part.length), 0);
  t.is(folded, crc32(Buffer.concat(parts)));
});
