/**
 * Failed API requests, classified: the reason label of the watch error metric, the status code client-node's
 * ListWatch looks at (410 → relist), and the server's Retry-After.
 */

import type { Response } from 'node-fetch';

/** Why a list or watch failed, as the `reason` label of kube_api_exporter_watch_errors_total. */
export type ErrorReason =
  | 'stalled'
  | 'timeout'
  | 'malformed_event'
  | 'connection'
  | 'expired'
  | `http_${number}`
  | 'other';

/** The longest Retry-After honoured, so a confused server cannot park a kind for hours. */
const MAX_RETRY_AFTER_MS = 300_000;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly reason: ErrorReason,
    /** What client-node's ListWatch looks at: 410 makes it relist. */
    readonly statusCode?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A Kubernetes Status (as an HTTP error body or a watch ERROR event) that means the resourceVersion is gone. */
export function isExpiredStatus(status: unknown): boolean {
  if (status === null || typeof status !== 'object') return false;
  const { code, reason, details } = status as {
    code?: unknown;
    reason?: unknown;
    details?: { causes?: Array<{ reason?: unknown }> };
  };
  // After an etcd restore the API server answers "too large resource version" (504); client-go relists then too.
  const tooLarge =
    Array.isArray(details?.causes) && details.causes.some((cause) => cause?.reason === 'ResourceVersionTooLarge');
  return code === 410 || reason === 'Expired' || reason === 'Gone' || tooLarge;
}

/** The error for a non-2xx response, with the Status message when the body is one. */
export async function responseError(response: Response, what: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const status = parseJson(text);
  const message = typeof status?.message === 'string' ? status.message : response.statusText;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (isExpiredStatus(status) || response.status === 410)
    return new ApiError(`${what}: HTTP ${response.status} ${message}`, 'expired', 410);
  return new ApiError(
    `${what}: HTTP ${response.status} ${message}`,
    `http_${response.status}`,
    response.status,
    retryAfterMs,
  );
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), MAX_RETRY_AFTER_MS) : undefined;
}

/** The reason label for any error a list or watch can end with. */
export function errorReason(error: unknown): ErrorReason {
  if (error instanceof ApiError) return error.reason;
  const { name, type, code } = (error ?? {}) as { name?: unknown; type?: unknown; code?: unknown };
  if (name === 'AbortError' || type === 'request-timeout' || type === 'body-timeout') return 'timeout';
  if (type === 'system' || (typeof code === 'string' && /^E[A-Z]+$/.test(code))) return 'connection';
  return 'other';
}

export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
