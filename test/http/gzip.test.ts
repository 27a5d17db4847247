import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { gzipBody } from '../../src/http/gzip.js';

const run = promisify(execFile);

/** A render's parts: a header, then blocks of a few hundred KB. */
const block = (name: string, lines: number) =>
  Buffer.from(`k8s_pod_spec_priority{name="${name}",namespace="ns"} 0\n`.repeat(lines));
const render = [Buffer.from('# HELP k8s_pod_spec_priority x\n'), block('a', 8_000), block('b', 12_000), block('c', 3)];
const self = Buffer.from(
  '# HELP kube_api_exporter_series x\n# TYPE kube_api_exporter_series gauge\nkube_api_exporter_series 1\n',
);

test('gzipBody deflates each shared part once: bodies with other per-request parts reuse its blocks', async (t) => {
  const [first, second] = await Promise.all([gzipBody(render, self), gzipBody(render, Buffer.from('other\n'))]);
  for (let index = 1; index <= render.length; index++) {
    t.is(first[index], second[index], `part ${index}: the same deflate blocks, not a second compression`);
  }
  t.true(gunzipSync(Buffer.concat(first)).equals(Buffer.concat([...render, self])));
  t.is(gunzipSync(Buffer.concat(second)).toString(), `${Buffer.concat(render)}other\n`);
  t.is(gunzipSync(Buffer.concat(await gzipBody([], self))).toString(), self.toString(), 'no shared part');
  t.is(gunzipSync(Buffer.concat(await gzipBody(render))).toString(), Buffer.concat(render).toString(), 'no own part');
});

test('the per-request part may be a promise: the body waits for it and ends with it', async (t) => {
  let resolveOwn: (own: Buffer) => void = () => {};
  const body = gzipBody(render, new Promise<Buffer>((resolve) => (resolveOwn = resolve)));
  let settled = false;
  void body.then(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.false(settled, 'not before the per-request part is there');
  resolveOwn(self);
  t.true(gunzipSync(Buffer.concat(await body)).equals(Buffer.concat([...render, self])));
});

test('after a change only the new part is deflated anew; the body still reads as the new render', async (t) => {
  const before = await gzipBody(render, self);
  const changed = [render[0], render[1], block('B', 12_000), render[3]];
  const after = await gzipBody(changed, self);
  t.is(after[1], before[1]);
  t.is(after[2], before[2]);
  t.not(after[3], before[3], 'the changed part');
  t.is(after[4], before[4]);
  t.true(gunzipSync(Buffer.concat(after)).equals(Buffer.concat([...changed, self])));
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
  const parts = await gzipBody(render, self);
  const expected = Buffer.concat([...render, self]);
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
