/** gzip for scrape bodies: a rendered Buffer is compressed once and shared by every scrape that serves it. */

import { promisify } from 'node:util';
import { constants, gzip as gzipCallback } from 'node:zlib';

const gzipAsync = promisify(gzipCallback);

/** Fastest level: bodies are recompressed after every change, and level 6 saves only a few percent more. */
const OPTIONS = { level: constants.Z_BEST_SPEED };

const compressed = new WeakMap<Buffer, Promise<Buffer>>();

export function gzip(body: Buffer): Promise<Buffer> {
  return gzipAsync(body, OPTIONS);
}

/** gzip of a Buffer that is never modified, made at most once per Buffer (concurrent callers share the promise). */
export function gzipOnce(body: Buffer): Promise<Buffer> {
  let result = compressed.get(body);
  if (!result) {
    result = gzip(body);
    compressed.set(body, result);
  }
  return result;
}
