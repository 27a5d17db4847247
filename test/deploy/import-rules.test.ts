/** The import rules of .dependency-cruiser.cjs (run by `npm test` as `npm run check:imports`) hold for src/ and catch what they forbid. */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = (cwd: string) =>
  spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'src',
      '--config',
      join(ROOT, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ],
    { cwd, encoding: 'utf8' },
  );

/** A throwaway tree of src/ files, with a tsconfig like the project's. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-rules-'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('src/ has no import cycle and no import against the data flow', (t) => {
  const result = depcruise(ROOT);
  t.is(result.status, 0, result.stdout + result.stderr);
});

const violations: ReadonlyArray<readonly [what: string, files: Record<string, string>, rule: string]> = [
  [
    'a cycle inside one folder',
    {
      'src/metrics/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/metrics/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    },
    'no-circular',
  ],
  [
    'util importing a later stage',
    {
      'src/util/log.ts': "import { KINDS } from '../kinds/table.js';\nexport const n = KINDS;\n",
      'src/kinds/table.ts': 'export const KINDS = [];\n',
    },
    'layer-util',
  ],
  [
    'metrics importing kube',
    {
      'src/metrics/x.ts': "import { w } from '../kube/watch.js';\nexport const x = w;\n",
      'src/kube/watch.ts': 'export const w = 1;\n',
    },
    'layer-metrics',
  ],
  [
    'a view importing another view',
    {
      'src/events/e.ts': "import { l } from '../leanix/v1.js';\nexport const e = l;\n",
      'src/leanix/v1.ts': 'export const l = 1;\n',
    },
    'independent-events',
  ],
  [
    'production code importing the demo',
    {
      'src/http/app.ts': "import { s } from '../demo/simulated-apiserver.js';\nexport const a = s;\n",
      'src/demo/simulated-apiserver.ts': 'export const s = 1;\n',
    },
    'demo-not-shipped',
  ],
  [
    'the collector importing the exporter',
    {
      'src/collector/app.ts': "import { e } from '../exporter.js';\nexport const a = e;\n",
      'src/exporter.ts': 'export const e = 1;\n',
    },
    'collector-program-apart',
  ],
];

for (const [what, files, rule] of violations) {
  test(`refused: ${what} (${rule})`, (t) => {
    const dir = tree(files);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const result = depcruise(dir);
    t.not(result.status, 0);
    t.regex(result.stdout, new RegExp(`error ${rule}:`));
  });
}
