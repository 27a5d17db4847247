/**
 * Reading fields of trimmed API objects, whose shape is only what the API server sent: each reader returns its
 * type's empty value for a missing or mistyped field, so a malformed object renders with blanks instead of throwing.
 */

import { parseQuantity } from './quantity.js';

export type Fields = Readonly<Record<string, unknown>>;

export function record(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

export function records(value: unknown): Fields[] {
  return Array.isArray(value) ? value.map(record) : [];
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A resource list (`{cpu: '250m', memory: '64Mi'}`) in base units; entries that are not quantities are left out. */
export function quantities(value: unknown): Record<string, number> {
  const parsed: Record<string, number> = {};
  for (const [resource, quantity] of Object.entries(record(value))) {
    const number = typeof quantity === 'string' ? parseQuantity(quantity) : optionalNumber(quantity);
    if (number !== undefined) parsed[resource] = number;
  }
  return parsed;
}

/** String-valued entries of a map (labels, selectors), sorted by key. */
export function stringMap(value: unknown): Record<string, string> {
  const entries = Object.entries(record(value)).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
