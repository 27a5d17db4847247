/**
 * Value parsers for the flag tables: text in, a value out, or an Error whose message says what was expected (the
 * flag engine prefixes it with the flag and the text). Parsers of domain values (kinds, selectors, metric globs)
 * live beside their domain types. Pure.
 */

import { METRIC_NAMINGS } from '../metrics/ksm-names.js';
import { REPORT_FORMATS } from '../report/report.js';
import { LOG_LEVELS } from '../util/log.js';

/** The text as it is. */
export function parseText(text: string): string {
  return text;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error('expected a port number from 0 to 65535');
  return port;
}

export function parseBoolean(text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0' || text === '') return false;
  throw new Error('expected true or false');
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `15m`, `24h`, or combined like `1h30m`: milliseconds, at least 1. */
export function parseDuration(text: string): number {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) throw new Error('expected a duration such as 30s, 15m or 24h');
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g))
    total += Number(amount) * DURATION_UNITS_MS[unit];
  if (total < 1) throw new Error('expected a duration of at least 1ms');
  return Math.round(total);
}

/** A parser for URLs of the given schemes (`http:`, `postgres:`); the text is kept as written. */
export function urlParser(protocols: readonly string[]): (text: string) => string {
  const expected = `expected a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`;
  return (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(expected);
    }
    if (!protocols.includes(url.protocol)) throw new Error(expected);
    return text;
  };
}

/** An http:// or https:// URL, normalised (`new URL(text).href`). */
export function parseHttpUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new Error('expected an http:// or https:// URL');
  return url.href;
}

/** redis://[user:password@]host[:port][/db] or rediss://, kept as written. */
export function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('expected redis://host[:port]');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error('expected redis://host[:port] or rediss://');
  if (url.hostname === '') throw new Error('no host');
  return text;
}

/** Comma-separated names, trimmed; empty entries dropped. */
function parseNameList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function parseNameSet(text: string): ReadonlySet<string> {
  return new Set(parseNameList(text));
}

export function parseNamespaceList(text: string): string[] {
  const names = parseNameList(text);
  const bad = names.find((name) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name));
  if (bad !== undefined) throw new Error(`"${bad}" is not a namespace name`);
  return names;
}

/** The text as a whole number of at least `min`; else fails with `message`. */
function wholeNumber(text: string, min: number, message: string): number {
  const number = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < min) throw new Error(message);
  return number;
}

export function parseNonNegativeInteger(text: string): number {
  return wholeNumber(text, 0, 'expected a whole number');
}

export function parsePositiveInteger(text: string): number {
  const number = parseNonNegativeInteger(text);
  if (number === 0) throw new Error('expected a whole number above 0');
  return number;
}

export function parseSeconds(text: string): number {
  return wholeNumber(text, 1, 'expected a whole number of seconds, at least 1');
}

export function parseCount(text: string): number {
  return wholeNumber(text, 1, 'expected a whole number, at least 1');
}

/** A parser of seconds whose value is kept in milliseconds (`--watch-idle-timeout 120` → 120000). */
export function inMilliseconds(parseSeconds: (text: string) => number): (text: string) => number {
  return (text) => parseSeconds(text) * 1000;
}

/** Trimmed, not empty. */
export function parseNonEmpty(text: string): string {
  if (text.trim() === '') throw new Error('expected a non-empty value');
  return text.trim();
}

/**
 * A parser for one of the given words. Name it before use in a table (as below): called inside a row, TypeScript
 * infers `string` for it instead of the words.
 */
export function oneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (text) => {
    const value = values.find((candidate) => candidate === text);
    if (value === undefined) throw new Error(`expected one of ${values.join(', ')}`);
    return value;
  };
}

export const parseLogLevel = oneOf(LOG_LEVELS);

export const parseReportFormat = oneOf(REPORT_FORMATS);

export const parseMetricNames = oneOf(METRIC_NAMINGS);
