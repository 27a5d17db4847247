/**
 * Flag tables: each command (the exporter, the collector) lists its flags as rows (flag, env var, default, parse)
 * and this module turns a table into parsing, `--help` text and UsageErrors. Pure: argv and env in, a config out.
 */

import { parseArgs } from 'node:util';

import { UsageError } from '../util/errors.js';

export interface FlagSpec<C, K extends keyof C> {
  readonly flag: string;
  readonly key: K;
  readonly env: string;
  readonly default: string | undefined;
  /** Shown after the flag in --help; '' for a switch (`--trust-proxy`), which takes no value on the command line. */
  readonly valueName: string;
  readonly description: string;
  readonly parse: (text: string) => C[K];
  /** The value when neither the flag nor its variable is set, from other variables (drop-in compatibility). */
  readonly fallback?: (env: Environment) => { readonly text: string; readonly source: string } | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export type FlagTable<C> = ReadonlyArray<{ [K in keyof C]: FlagSpec<C, K> }[keyof C]>;

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
    config[spec.key as string] = text === undefined ? undefined : parseValue(spec, text, given?.source ?? 'default');
  }
  return { action: 'run', config: config as C };
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

function parseValue<C, K extends keyof C>(spec: FlagSpec<C, K>, text: string, source: string): C[K] {
  try {
    return spec.parse(text);
  } catch (error) {
    throw new UsageError(`invalid ${source} "${text}": ${(error as Error).message}`);
  }
}

function isSwitch<C>(spec: FlagTable<C>[number]): boolean {
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
