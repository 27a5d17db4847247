import test from 'ava';
import { PendingText } from '../../src/metrics/pending-text.js';

test('copies are kept apart until a reset, then the slabs are written again from the start', (t) => {
  const pending = new PendingText(8);
  const texts = ['abc', 'defg', 'hi', 'a text longer than a slab', 'jklmnop', ''];
  const copies = texts.map((text) => pending.append(Buffer.from(text)));
  t.deepEqual(
    copies.map((copy) => copy.toString()),
    texts,
  );
  t.is(pending.bytes, texts.join('').length);
  t.is(copies[0].buffer, copies[1].buffer, 'small texts share a slab');
  t.not(copies[1].buffer, copies[2].buffer, 'one that does not fit starts the next');
  pending.reset();
  t.is(pending.bytes, 0);
  const again = pending.append(Buffer.from('xyz'));
  t.is(again.buffer, copies[0].buffer, 'the first slab is reused');
  t.is(copies[0].toString(), 'xyz', 'earlier copies are overwritten after a reset');
});

test('a copy does not change when the text it was made from does', (t) => {
  const pending = new PendingText(64);
  const source = Buffer.from('k8s_pod_info{name="a"} 1\n');
  const copy = pending.append(source);
  source.fill(0);
  t.is(copy.toString(), 'k8s_pod_info{name="a"} 1\n');
});
