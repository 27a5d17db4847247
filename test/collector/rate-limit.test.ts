import test from 'ava';
import { RateLimiter } from '../../src/collector/rate-limit.js';

/** [perMinute, requests as [client, ms], expected answers (0 = allowed, else ms to wait)] */
const CASES: ReadonlyArray<readonly [string, number, ReadonlyArray<readonly [string, number]>, readonly number[]]> = [
  [
    'a burst of perMinute, then refused',
    3,
    [
      ['a', 0],
      ['a', 0],
      ['a', 0],
      ['a', 0],
    ],
    [0, 0, 0, 20_000],
  ],
  [
    'one token back every 60/perMinute s',
    3,
    [
      ['a', 0],
      ['a', 0],
      ['a', 0],
      ['a', 10_000],
      ['a', 20_000],
      ['a', 20_000],
    ],
    [0, 0, 0, 10_000, 0, 20_000],
  ],
  [
    'clients apart',
    1,
    [
      ['a', 0],
      ['b', 0],
      ['a', 1],
      ['b', 30_000],
    ],
    [0, 0, 59_999, 30_000],
  ],
  [
    'refill never beyond the burst',
    2,
    [
      ['a', 0],
      ['a', 3_600_000],
      ['a', 3_600_000],
      ['a', 3_600_000],
    ],
    [0, 0, 0, 30_000],
  ],
];

for (const [name, perMinute, requests, expected] of CASES) {
  test(`rate limit: ${name}`, (t) => {
    const limiter = new RateLimiter(perMinute);
    t.deepEqual(
      requests.map(([client, ms]) => limiter.take(client, ms)),
      expected,
    );
  });
}

test('rate limit: at most maxClients buckets; the longest unused one is forgotten', (t) => {
  const limiter = new RateLimiter(1, 3);
  for (const client of ['a', 'b', 'c']) t.is(limiter.take(client, 0), 0);
  t.true(limiter.take('a', 1) > 0, 'a used again: now the most recent');
  t.is(limiter.take('d', 2), 0);
  t.is(limiter.size, 3);
  t.true(limiter.take('a', 3) > 0, 'a is still limited');
  t.is(limiter.take('b', 4), 0, 'b, the longest unused, was forgotten');
  for (let index = 0; index < 10_000; index++) limiter.take(`client-${index}`, 5);
  t.is(limiter.size, 3);
});
