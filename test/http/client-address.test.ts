import test from 'ava';
import { clientAddress } from '../../src/http/client-address.js';

const cases: ReadonlyArray<readonly [string, Record<string, string>, string | undefined, boolean, string]> = [
  ['socket address', {}, '192.0.2.7', false, '192.0.2.7'],
  ['IPv4-mapped socket address', {}, '::ffff:192.0.2.7', false, '192.0.2.7'],
  ['IPv6 socket address', {}, '2001:db8::1', false, '2001:db8::1'],
  ['no socket address', {}, undefined, false, 'unknown'],
  ['X-Forwarded-For ignored without trust', { 'x-forwarded-for': '198.51.100.1' }, '192.0.2.7', false, '192.0.2.7'],
  ['X-Real-IP ignored without trust', { 'x-real-ip': '198.51.100.1' }, '192.0.2.7', false, '192.0.2.7'],
  [
    'X-Forwarded-For: the first entry is the client',
    { 'x-forwarded-for': ' 198.51.100.1 , 10.0.0.1' },
    '192.0.2.7',
    true,
    '198.51.100.1',
  ],
  [
    'X-Forwarded-For wins over X-Real-IP',
    { 'x-forwarded-for': '198.51.100.1', 'x-real-ip': '198.51.100.2' },
    '192.0.2.7',
    true,
    '198.51.100.1',
  ],
  ['X-Real-IP', { 'x-real-ip': '198.51.100.2' }, '192.0.2.7', true, '198.51.100.2'],
  ['trusted but no header', {}, '192.0.2.7', true, '192.0.2.7'],
  [
    'empty X-Forwarded-For falls through',
    { 'x-forwarded-for': '', 'x-real-ip': '198.51.100.2' },
    '192.0.2.7',
    true,
    '198.51.100.2',
  ],
];

for (const [name, headers, socket, trust, expected] of cases) {
  test(name, (t) => {
    t.is(clientAddress(headers, socket, trust), expected);
  });
}
