/** Exporter configs for tests: the flag defaults, on a free port of the loopback, and what a test changes. */

import _ from 'lodash';
import { type Config, defaultConfig } from '../../../src/config/exporter.js';

/** A Config with any group given in part: `{ watch: { timeoutSeconds: 5 } }`. */
export type ConfigOverrides = {
  readonly [K in keyof Config]?: Config[K] extends string | undefined ? Config[K] : Partial<Config[K]>;
};

const LOOPBACK: ConfigOverrides = { http: { port: 0, host: '127.0.0.1' } };

/** Every flag at its default, listening on a free port of 127.0.0.1, then the overrides in order (later ones win). */
export function testConfig(...overrides: readonly ConfigOverrides[]): Config {
  // Lists are replaced, not merged element by element; sets and maps are taken as they are (lodash merges only plain
  // objects and arrays).
  return _.mergeWith({}, defaultConfig(), LOOPBACK, ...overrides, (_current: unknown, given: unknown) =>
    Array.isArray(given) ? given : undefined,
  );
}
