import test from 'ava';
import {
  inMilliseconds,
  parseBoolean,
  parseCount,
  parseHttpUrl,
  parseLogLevel,
  parseNameSet,
  parseNamespaceList,
  parseNonEmpty,
  parseNonNegativeInteger,
  parsePort,
  parsePositiveInteger,
  parseSeconds,
  urlParser,
} from '../../src/config/parsers.js';

const accepted: ReadonlyArray<readonly [string, (text: string) => unknown, string, unknown]> = [
  ['parsePort', parsePort, '0', 0],
  ['parsePort', parsePort, '65535', 65535],
  ['parseBoolean', parseBoolean, '1', true],
  ['parseBoolean', parseBoolean, '', false],
  ['parseNonNegativeInteger', parseNonNegativeInteger, '0', 0],
  ['parsePositiveInteger', parsePositiveInteger, '7', 7],
  ['parseSeconds', parseSeconds, '1', 1],
  ['parseCount', parseCount, '32', 32],
  ['inMilliseconds(parseSeconds)', inMilliseconds(parseSeconds), '120', 120_000],
  ['parseNonEmpty', parseNonEmpty, ' a ', 'a'],
  ['parseHttpUrl', parseHttpUrl, 'http://c:8081', 'http://c:8081/'],
  ['urlParser', urlParser(['postgres:']), 'postgres://u@h/db', 'postgres://u@h/db'],
  ['parseNamespaceList', parseNamespaceList, ' a, b ,,', ['a', 'b']],
  ['parseLogLevel', parseLogLevel, 'debug', 'debug'],
];

for (const [name, parse, text, value] of accepted) {
  test(`${name}(${JSON.stringify(text)})`, (t) => {
    t.deepEqual(parse(text), value);
  });
}

test('parseNameSet: a set of the trimmed names', (t) => {
  t.deepEqual([...parseNameSet(' a, b ,,a')], ['a', 'b']);
});

const rejected: ReadonlyArray<readonly [string, (text: string) => unknown, string, RegExp]> = [
  ['parsePort', parsePort, '65536', /^expected a port number from 0 to 65535$/],
  ['parseBoolean', parseBoolean, 'yes', /^expected true or false$/],
  ['parsePositiveInteger', parsePositiveInteger, '0', /^expected a whole number above 0$/],
  ['parseNonNegativeInteger', parseNonNegativeInteger, '1.5', /^expected a whole number$/],
  [
    'inMilliseconds(parseSeconds)',
    inMilliseconds(parseSeconds),
    '0',
    /^expected a whole number of seconds, at least 1$/,
  ],
  ['parseCount', parseCount, '0', /^expected a whole number, at least 1$/],
  ['parseNonEmpty', parseNonEmpty, ' ', /^expected a non-empty value$/],
  ['parseHttpUrl', parseHttpUrl, 'ftp://x', /^expected an http:\/\/ or https:\/\/ URL$/],
  ['parseNamespaceList', parseNamespaceList, 'Bad', /^"Bad" is not a namespace name$/],
  ['parseLogLevel', parseLogLevel, 'loud', /^expected one of error, warn, info, debug$/],
];

for (const [name, parse, text, message] of rejected) {
  test(`${name} rejects ${JSON.stringify(text)}`, (t) => {
    t.throws(() => parse(text), { message });
  });
}
