import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { gzipBody } from '../../src/http/gzip.js';

const run = promisify(execFile);

const objects = Buffer.from('k8s_pod_spec_priority{name="a",namespace="ns"} 0\n'.repeat(20_000));
const self = Buffer.from(
  '# HELP kube_api_exporter_series x\n# TYPE kube_api_exporter_series gauge\nkube_api_exporter_series 1\n',
);

test('gzipBody deflates a shared Buffer once: bodies with other per-request parts reuse its blocks', async (t) => {
  const [first, second] = await Promise.all([gzipBody(objects, self), gzipBody(objects, Buffer.from('other\n'))]);
  t.is(first[1], second[1], 'the same deflate blocks, not a second compression');
  t.not((await gzipBody(Buffer.from(objects), self))[1], first[1], 'another Buffer (a new render) is deflated anew');
  t.true(gunzipSync(Buffer.concat(first)).equals(Buffer.concat([objects, self])));
  t.is(gunzipSync(Buffer.concat(second)).toString(), `${objects}other\n`);
  t.is(gunzipSync(Buffer.concat(await gzipBody(self))).toString(), self.toString(), 'no per-request part');
});

/** Serves one gzip body and returns its URL. */
async function serveGzip(t: ExecutionContext, parts: readonly Buffer[]): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'text/plain' });
    response.end(Buffer.concat(parts));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test('the body is one gzip member: curl --compressed and Python zlib read every byte', async (t) => {
  const parts = await gzipBody(objects, self);
  const expected = Buffer.concat([objects, self]);
  const curl = await run('curl', ['--compressed', '-sS', await serveGzip(t, parts)], {
    encoding: 'buffer',
    maxBuffer: 64 * 2 ** 20,
  });
  t.is(curl.stdout.length, expected.length, 'curl got every byte');
  t.true(curl.stdout.equals(expected));
  // Python's zlib reads one member and leaves the rest in unused_data: all must be in the first.
  const script = [
    'import sys, zlib',
    'data = sys.stdin.buffer.read()',
    'd = zlib.decompressobj(16 + zlib.MAX_WBITS)',
    'out = d.decompress(data)',
    'print(len(out), d.eof, len(d.unused_data))',
  ].join('\n');
  const python = run('python3', ['-c', script]);
  python.child.stdin!.end(Buffer.concat(parts));
  t.is((await python).stdout.trim(), `${expected.length} True 0`);
});
