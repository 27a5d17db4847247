/**
 * gzip for scrape bodies, as one gzip member made of one deflate stream, so that every gzip reader gets the whole body
 * (curl and Python's zlib stop after the first member). A rendered Buffer that is never modified is deflated once and
 * shared by every scrape that serves it: its deflate blocks end with a sync flush, not a final block, so that the
 * per-request part (the self-metrics) follows as further blocks of the same stream. Deflate lets a block refer back
 * only to bytes its own compressor saw, so blocks from two compressors concatenate into one valid stream.
 */

import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

/** Fastest level: bodies are recompressed after every change, and level 6 saves only a few percent more. */
const LEVEL = constants.Z_BEST_SPEED;
/**
 * Output per round trip between the zlib thread and the main thread. With the default 16 KiB, deflating a 40 MB render
 * takes about a hundred turns of the event loop, each waiting behind whatever else the loop serves (other clients).
 */
const CHUNK_SIZE = 1024 * 1024;

/** Raw deflate blocks of a text, not final, with the text's CRC-32 and length for the gzip trailer. */
interface DeflatedPart {
  readonly blocks: Buffer;
  readonly crc: number;
  readonly length: number;
}

/** RFC 1952 header: deflate, no name or time, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

const deflated = new WeakMap<Buffer, Promise<DeflatedPart>>();

async function deflateOpen(body: Buffer): Promise<DeflatedPart> {
  const blocks = await deflateRawAsync(body, {
    level: LEVEL,
    chunkSize: CHUNK_SIZE,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  return { blocks, crc: crc32(body), length: body.length };
}

/** Of a Buffer that is never modified, made at most once per Buffer (concurrent callers share the promise). */
function deflateOnce(body: Buffer): Promise<DeflatedPart> {
  let result = deflated.get(body);
  if (!result) {
    result = deflateOpen(body);
    deflated.set(body, result);
  }
  return result;
}

/**
 * `shared` then `perRequest` as one gzip member, in parts to be sent in order: `shared` (never to be modified) is
 * deflated once however many bodies include it; `perRequest` is deflated for this body.
 */
export async function gzipBody(shared: Buffer, perRequest: Buffer = Buffer.alloc(0)): Promise<Buffer[]> {
  const [head, tail] = await Promise.all([
    deflateOnce(shared),
    deflateRawAsync(perRequest, { level: LEVEL, finishFlush: constants.Z_FINISH }),
  ]);
  const trailer = Buffer.alloc(8);
  // crc32 of no bytes is 0 whatever the starting value (Node 20), not the starting value.
  trailer.writeUInt32LE(perRequest.length === 0 ? head.crc : crc32(perRequest, head.crc), 0);
  trailer.writeUInt32LE((head.length + perRequest.length) % 2 ** 32, 4);
  return [HEADER, head.blocks, tail, trailer];
}
