/** Golden files: compare a rendered document with test/fixtures/<name>; `UPDATE_GOLDEN=1` rewrites them for review. */

import { readFileSync, writeFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';

export function assertGolden(t: ExecutionContext, name: string, value: unknown): void {
  const file = new URL(`../../fixtures/${name}`, import.meta.url);
  const rendered = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, rendered);
  t.is(
    rendered,
    readFileSync(file, 'utf8'),
    `${name} differs; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`,
  );
}
