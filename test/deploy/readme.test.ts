import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The README "Layout" block: each src/ folder or root file it names, with the file names given on its lines. */
function layoutEntries(): Map<string, Set<string>> {
  const section = readme.slice(readme.indexOf('## Layout'));
  const block = section.split('\n').filter((line) => line.startsWith('    '));
  const entries = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of block) {
    const head = /^ {4}(src\/[\w./-]*)/.exec(line);
    if (head) {
      current = new Set();
      entries.set(head[1], current);
    } else if (/^ {4}\S/.test(line)) current = undefined;
    for (const name of line.matchAll(/(?<![\w/.-])([\w-]+\.ts)\b/g)) current?.add(name[1]);
  }
  return entries;
}

test('the README layout names every folder and file of src/, and nothing that is not there', (t) => {
  const srcDir = new URL('../../src/', import.meta.url);
  const tree = new Map<string, Set<string>>();
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    if (entry.isDirectory()) tree.set(`src/${entry.name}/`, new Set(readdirSync(new URL(`${entry.name}/`, srcDir))));
    else tree.set(`src/${entry.name}`, new Set());
  }
  const layout = layoutEntries();
  t.deepEqual([...layout.keys()].sort(), [...tree.keys()].sort());
  for (const [folder, files] of tree) {
    if (!folder.endsWith('/')) continue;
    t.deepEqual([...(layout.get(folder) ?? [])].sort(), [...files].sort(), folder);
  }
});

test('every file or folder of the project that the README names in backquotes exists', (t) => {
  const named = new Set([...readme.matchAll(/`((?:src|test|bench|k8s|alerts)\/[\w./-]*)`/g)].map((match) => match[1]));
  t.true(named.size > 10);
  for (const path of named) t.true(existsSync(new URL(`../../${path}`, import.meta.url)), path);
});
