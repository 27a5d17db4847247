import { readFileSync } from 'node:fs';
import test from 'ava';
import { COLLECTOR_FLAGS } from '../../src/config/collector.js';
import { FLAGS } from '../../src/config/exporter.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README flag table has a row for every flag, with its variable and default', (t) => {
  for (const spec of FLAGS) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`--${spec.flag} `));
    t.truthy(row, `--${spec.flag}`);
    t.true(row!.includes(`\`${spec.env}\``), `${spec.flag} env`);
    if (spec.default !== undefined) t.true(row!.includes(`\`${spec.default}\``), `${spec.flag} default`);
  }
});

test('the README names the two commands', (t) => {
  t.true(readme.includes('    npm ci && npm run demo\n'));
  t.true(readme.includes('    npm test\n'));
});

test('the README collector flag table has a row for every collector flag, with its variable and default', (t) => {
  const section = readme.slice(readme.indexOf('### The collector'));
  for (const spec of COLLECTOR_FLAGS) {
    const row = section
      .split('\n')
      .find((line) => line.startsWith(`| \`--${spec.flag} `) || line.startsWith(`| \`--${spec.flag}\``));
    t.truthy(row, `--${spec.flag}`);
    t.true(row!.includes(`\`${spec.env}\``), `${spec.flag} env`);
    if (spec.default !== undefined) t.true(row!.includes(`\`${spec.default}\``), `${spec.flag} default`);
  }
});
