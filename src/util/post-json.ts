/** POST of a JSON document to another service, with a deadline: what the report and LeanIX pushers share. */

export interface PostAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly text: string;
}

/**
 * POSTs the JSON text and resolves once the answer's body is read, whatever its status; rejects on a network error,
 * after `timeoutMs`, or when `stop` aborts.
 */
export async function postJson(
  url: string,
  body: string,
  stop: AbortSignal,
  timeoutMs: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<PostAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]),
  });
  return { status: response.status, ok: response.ok, text: await response.text() };
}
