import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { gzip, gzipOnce } from '../../src/http/gzip.js';

test('gzipOnce compresses a Buffer once: concurrent callers share one compression', async (t) => {
  const body = Buffer.from('k8s_pod_spec_priority{name="a",namespace="ns"} 0\n'.repeat(1000));
  const first = gzipOnce(body);
  t.is(gzipOnce(body), first, 'the same promise, not a second compression');
  t.not(gzipOnce(Buffer.from(body)), first, 'another Buffer (a new render) is compressed anew');
  t.true(gunzipSync(await first).equals(body));
});

test('gzip members concatenate into one valid gzip stream', async (t) => {
  const parts = [Buffer.from('# objects\n'), Buffer.from('# self\n')];
  const body = Buffer.concat([await gzipOnce(parts[0]), await gzip(parts[1])]);
  t.is(gunzipSync(body).toString(), '# objects\n# self\n');
});
