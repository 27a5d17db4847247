/**
 * Flag tables: each command (the exporter, the collector) lists its flags as rows made by `flagRow`, and this module
 * turns a table into parsing, `--help` text and UsageErrors. A row puts its value at a key of the command's config:
 * a top-level field (`logLevel`) or a field of a group (`http.port`), so that the config comes out grouped. Its
 * environment variable is the command's prefix and the flag in upper snake case (`--watch-timeout` →
 * KUBE_API_EXPORTER_WATCH_TIMEOUT). Pure: argv and env in, a config out.
 */

import { parseArgs } from 'node:util';

import { UsageError } from '../util/errors.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The value when neither the flag nor its variable is set, from other variables (drop-in compatibility). */
export type Fallback = (env: Environment) => { readonly text: string; readonly source: string } | undefined;

/** Values that are one field of a config, not a group of fields. */
type Leaf =
  | string
  | number
  | boolean
  | undefined
  | readonly unknown[]
  | ReadonlySet<unknown>
  | ReadonlyMap<unknown, unknown>;

/** Where a row puts its value: `field` for a top-level field, `group.field` for a field of a group. */
export type ConfigKey<C> = {
  [K in keyof C & string]: C[K] extends Leaf ? K : `${K}.${keyof C[K] & string}`;
}[keyof C & string];

/** The type of the field at a key. */
export type ValueAt<C, P> = P extends `${infer G extends keyof C & string}.${infer F}`
  ? F extends keyof C[G]
    ? C[G][F]
    : never
  : P extends keyof C
    ? C[P]
    : never;

/** The keys whose field takes a value of type T. */
export type KeyFor<C, T> = { [P in ConfigKey<C>]: [T] extends [ValueAt<C, P>] ? P : never }[ConfigKey<C>];

export interface FlagSpec<C> {
  readonly flag: string;
  readonly key: ConfigKey<C>;
  readonly env: string;
  readonly default: string | undefined;
  /** Shown after the flag in --help; '' for a switch (`--trust-proxy`), which takes no value on the command line. */
  readonly valueName: string;
  readonly description: string;
  /** Gives a value of the type at `key` (flagRow checks it). */
  readonly parse: (text: string) => unknown;
  readonly fallback?: Fallback;
}

export type FlagTable<C> = readonly FlagSpec<C>[];

/**
 * One row of a table: `row(flag, key, valueName, default, parse, description, fallback?)`. The type checks that
 * `parse` gives what the field at `key` holds.
 */
export type FlagRow<C> = <T>(
  flag: string,
  key: KeyFor<C, NoInfer<T>>,
  valueName: string,
  defaultText: string | undefined,
  parse: (text: string) => T,
  description: string,
  fallback?: Fallback,
) => FlagSpec<C>;

/** The row maker of a command whose environment variables start with `envPrefix` (`KUBE_API_EXPORTER_`). */
export function flagRow<C>(envPrefix: string): FlagRow<C> {
  return (flag, key, valueName, defaultText, parse, description, fallback) => ({
    flag,
    key,
    env: `${envPrefix}${flag.toUpperCase().replaceAll('-', '_')}`,
    default: defaultText,
    valueName,
    description,
    parse,
    ...(fallback ? { fallback } : {}),
  });
}

export type ParseResult<C> = { readonly action: 'run'; readonly config: C } | { readonly action: 'help' | 'version' };

export function parseFlagTable<C>(flags: FlagTable<C>, argv: readonly string[], env: Environment): ParseResult<C> {
  const values: Record<string, string | boolean | undefined> = parseFlags(flags, argv).values;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  const config: Record<string, unknown> = {};
  for (const spec of flags) {
    const flagValue = values[spec.flag];
    const fromFlag = typeof flagValue === 'boolean' ? String(flagValue) : flagValue;
    const fromEnv = env[spec.env];
    const given =
      fromFlag !== undefined
        ? { text: fromFlag, source: `--${spec.flag}` }
        : fromEnv !== undefined
          ? { text: fromEnv, source: `$${spec.env}` }
          : spec.fallback?.(env);
    const text = given?.text ?? spec.default;
    setAt(config, spec.key, text === undefined ? undefined : parseValue(spec, text, given?.source ?? 'default'));
  }
  return { action: 'run', config: config as C };
}

/** Sets `field` or `group.field`, making the group on first use. */
function setAt(config: Record<string, unknown>, key: string, value: unknown): void {
  const [group, field] = key.split('.');
  if (field === undefined) config[group] = value;
  else {
    config[group] ??= {};
    (config[group] as Record<string, unknown>)[field] = value;
  }
}

function parseFlags<C>(flags: FlagTable<C>, argv: readonly string[]) {
  const options = Object.fromEntries(
    flags.map((spec) => [spec.flag, { type: isSwitch(spec) ? ('boolean' as const) : ('string' as const) }]),
  );
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function parseValue<C>(spec: FlagSpec<C>, text: string, source: string): unknown {
  try {
    return spec.parse(text);
  } catch (error) {
    throw new UsageError(`invalid ${source} "${text}": ${(error as Error).message}`);
  }
}

function isSwitch<C>(spec: FlagSpec<C>): boolean {
  return spec.valueName === '';
}

/** --help: the usage lines, then one entry per flag with its default and environment variable. */
export function flagHelpText<C>(flags: FlagTable<C>, usage: readonly string[]): string {
  const rows = flags.map((spec) => {
    const flag = `--${spec.flag}${isSwitch(spec) ? '' : ` ${spec.valueName}`}`;
    const fallback = spec.default === undefined ? '' : ` (default "${spec.default}")`;
    return `  ${flag.padEnd(40)}${spec.description}${fallback}\n  ${''.padEnd(40)}env ${spec.env}`;
  });
  return [
    ...usage,
    '',
    'Flags:',
    ...rows,
    `  ${'--help'.padEnd(40)}show this help`,
    `  ${'--version'.padEnd(40)}print the version`,
    '',
  ].join('\n');
}
