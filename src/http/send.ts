/**
 * Large bodies to clients that may not read them: written in chunks, at most about 1 MiB of them waiting in the
 * socket's buffer, so that what a slow client has taken shows as progress (src/http/listen.ts closes a connection that
 * makes none for the send timeout), and so that nothing is copied: the chunks are views of Buffers shared between
 * responses.
 */

import type { ServerResponse } from 'node:http';

export const CHUNK_BYTES = 64 * 1024;
/**
 * Chunks are written while less than this waits in the socket's buffer, then the next once it has drained: a chunk a
 * turn of the event loop would make a large body take hundreds of turns, each waiting behind the other clients.
 */
const WINDOW_BYTES = 1024 * 1024;

/** Every part in order, in views of at most CHUNK_BYTES. */
export function* chunksOf(parts: readonly Buffer[]): Generator<Buffer> {
  for (const part of parts)
    for (let start = 0; start < part.length; start += CHUNK_BYTES) yield part.subarray(start, start + CHUNK_BYTES);
}

/**
 * Writes the parts as the body and ends the response; resolves once it is finished or closed (then false: the client
 * went away, or was cut off for not reading).
 */
export function writeBody(res: ServerResponse, parts: readonly Buffer[]): Promise<boolean> {
  const chunks = chunksOf(parts);
  return new Promise((resolve) => {
    const done = (sent: boolean) => {
      res.off('drain', pump);
      resolve(sent);
    };
    function pump() {
      while (res.writableLength < WINDOW_BYTES) {
        if (res.destroyed) return;
        const next = chunks.next();
        if (next.done) break;
        res.write(next.value);
      }
      if (res.writableLength >= WINDOW_BYTES) return; // 'drain' calls again
      res.off('drain', pump);
      res.end();
    }
    res.on('drain', pump);
    res.once('finish', () => done(true));
    res.once('close', () => done(res.writableFinished));
    pump();
  });
}
