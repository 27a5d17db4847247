/**
 * gzip for scrape bodies, as one gzip member made of one deflate stream, so that every gzip reader gets the whole body
 * (curl and Python's zlib stop after the first member). Each shared part (a block of the render, which is never
 * modified) is deflated on its own, once, and its raw deflate blocks are reused by every body that includes it: they
 * end with a sync flush, not a final block, and refer back only to bytes of their own part, so the parts' deflate
 * blocks laid end to end are one valid stream. The per-request part (the self-metrics) ends it with the final block;
 * the trailer's CRC-32 is combined from the parts' CRCs, so that nothing is read twice.
 */

import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';
import { crc32CombineShifted, crc32Shift } from './crc32-combine.js';

const deflateRawAsync = promisify(deflateRaw);

/** Fastest level: blocks are recompressed after every change, and level 6 saves only a few percent more. */
const LEVEL = constants.Z_BEST_SPEED;
/**
 * Output per round trip between the zlib thread and the main thread, at most: a render's block of a few MB would take
 * dozens of turns of the event loop with the default 16 KiB, each waiting behind whatever else the loop serves. Each
 * compressor allocates this much up front, so a small part gets a smaller one.
 */
const MAX_CHUNK_SIZE = 1024 * 1024;
const MIN_CHUNK_SIZE = 16 * 1024;
/** Parts deflated at once on the zlib threads: enough to keep both cores busy, few enough to leave the loop room. */
const MAX_DEFLATING = 2;

/** Raw deflate blocks of a part, not final, with what the gzip trailer needs of it: its CRC-32 and length. */
interface DeflatedPart {
  readonly blocks: Buffer;
  readonly crc: number;
  readonly length: number;
  /** crc32Shift(length), computed once: a body combines the CRCs of about a thousand parts. */
  readonly shift: number;
}

/** RFC 1952 header: deflate, no name or time, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

const deflated = new WeakMap<Buffer, Promise<DeflatedPart>>();

let deflating = 0;
const waiting: Array<() => void> = [];

/** Runs the job once fewer than MAX_DEFLATING others run. */
async function inTurn<T>(job: () => Promise<T>): Promise<T> {
  if (deflating < MAX_DEFLATING) deflating += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing job hands its turn over
  try {
    return await job();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else deflating -= 1;
  }
}

async function deflateOpen(part: Buffer): Promise<DeflatedPart> {
  const chunkSize = Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, part.length >>> 3));
  const blocks = await inTurn(() =>
    deflateRawAsync(part, { level: LEVEL, chunkSize, finishFlush: constants.Z_SYNC_FLUSH }),
  );
  return { blocks, crc: crc32(part), length: part.length, shift: crc32Shift(part.length) };
}

/** Of a Buffer that is never modified, made at most once per Buffer (concurrent callers share the promise). */
function deflateOnce(part: Buffer): Promise<DeflatedPart> {
  let result = deflated.get(part);
  if (!result) {
    result = deflateOpen(part);
    deflated.set(part, result);
  }
  return result;
}

/**
 * The `shared` parts then `perRequest` as one gzip member, in parts to be sent in order: each shared part (never to
 * be modified) is deflated once however many bodies include it; `perRequest` is deflated for this body. The shared
 * parts are deflated while `perRequest` is still being made.
 */
export async function gzipBody(
  shared: readonly Buffer[],
  perRequest: Buffer | Promise<Buffer> = Buffer.alloc(0),
): Promise<Buffer[]> {
  const [own, tail, ...parts] = await Promise.all([
    perRequest,
    Promise.resolve(perRequest).then((own) => deflateRawAsync(own, { level: LEVEL, finishFlush: constants.Z_FINISH })),
    ...shared.map(deflateOnce),
  ]);
  let crc = 0;
  let length = 0;
  const last = { crc: crc32(own), length: own.length, shift: crc32Shift(own.length) };
  for (const part of [...parts, last]) {
    crc = crc32CombineShifted(crc, part.crc, part.shift);
    length += part.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return [HEADER, ...parts.map((part) => part.blocks), tail, trailer];
}
