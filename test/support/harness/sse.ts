/** A Server-Sent Events client for tests: collects the frames of one /events connection as they arrive. */

import type { ExecutionContext } from 'ava';

export interface SseFrame {
  readonly id: string | undefined;
  readonly data: any;
}

export interface SseConnection {
  readonly status: number;
  readonly contentType: string | null;
  readonly frames: SseFrame[];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openEventStream(
  t: ExecutionContext,
  url: string,
  headers: Record<string, string> = {},
): Promise<SseConnection> {
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const response = await fetch(url, { headers, signal: abort.signal });
  const frames: SseFrame[] = [];
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of response.body) {
        pending += decoder.decode(chunk, { stream: true });
        for (let cut = pending.indexOf('\n\n'); cut >= 0; cut = pending.indexOf('\n\n')) {
          const frame = parseFrame(pending.slice(0, cut));
          pending = pending.slice(cut + 2);
          if (frame) frames.push(frame);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    frames,
    ended,
    close: () => abort.abort(),
  };
}

/** A frame of comments only (keep-alives) is no frame. */
function parseFrame(text: string): SseFrame | undefined {
  let id: string | undefined;
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    if (field === 'data') data.push(value);
  }
  if (id === undefined && data.length === 0) return undefined;
  return { id, data: JSON.parse(data.join('\n')) };
}
