import test from 'ava';
import { flagHelpText, flagRow, parseFlagTable } from '../../src/config/flags.js';
import { parsePort, parseText } from '../../src/config/parsers.js';

interface Example {
  readonly name: string | undefined;
  readonly http: { readonly port: number; readonly host: string };
}

const flag = flagRow<Example>('EXAMPLE_');
const FLAGS = [
  flag('name', 'name', 'NAME', undefined, parseText, 'a name'),
  flag('listen-port', 'http.port', 'N', '80', parsePort, 'the port'),
  flag('listen-host', 'http.host', 'ADDR', '::', parseText, 'the host'),
];

test('the environment variable is the prefix and the flag in upper snake case', (t) => {
  t.deepEqual(
    FLAGS.map((spec) => spec.env),
    ['EXAMPLE_NAME', 'EXAMPLE_LISTEN_PORT', 'EXAMPLE_LISTEN_HOST'],
  );
});

test('values land in their group; unset ones without a default are there, undefined', (t) => {
  const parsed = parseFlagTable(FLAGS, ['--listen-port', '8080'], { EXAMPLE_LISTEN_HOST: 'h' });
  t.deepEqual(parsed, { action: 'run', config: { name: undefined, http: { port: 8080, host: 'h' } } });
  t.true(Object.hasOwn(parsed.action === 'run' ? parsed.config : {}, 'name'));
});

test('help names each flag and its variable', (t) => {
  const help = flagHelpText(FLAGS, ['Usage: example']);
  t.regex(help, /--listen-port N +the port \(default "80"\)\n +env EXAMPLE_LISTEN_PORT/);
});
