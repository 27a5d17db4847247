/**
 * Convergence property: after any seeded random scenario of changes and API server faults goes quiet, /metrics and
 * /leanix.json equal what the API server's objects render to. CONVERGENCE_SCENARIOS and CONVERGENCE_FIRST_SEED
 * widen the search; a seed that ever fails goes into REGRESSION_SEEDS.
 */
import test from 'ava';
import type { FaultName } from '../../src/demo/simulated-apiserver.js';
import { runScenario, type ScenarioResult } from '../support/harness/scenario.js';

const SCENARIOS = Number(process.env.CONVERGENCE_SCENARIOS ?? 50);
const FIRST_SEED = Number(process.env.CONVERGENCE_FIRST_SEED ?? 1);
const PARALLEL = 4;
const OPTIONS = { steps: 40, convergeWithinMs: 20_000 };

/** Seeds that once failed, with what they found; each runs on its own. */
const REGRESSION_SEEDS: ReadonlyArray<readonly [number, string]> = [
  [1, 'services missing after a restart and compaction (before relisting after failures)'],
  [
    7,
    'a watch resumed after a compaction that followed a restart missed an object (simulator kept old resourceVersions resumable)',
  ],
  [10, 'a node missing after a restart and compaction (before relisting after failures)'],
];

for (const [seed, found] of REGRESSION_SEEDS) {
  test(`regression seed ${seed}: ${found}`, async (t) => {
    const result = await runScenario(seed, OPTIONS);
    t.true(result.converged, result.difference);
  });
}

const CHUNK = 10;
const results: ScenarioResult[] = [];

// Serial chunks, so that each reports within AVA's timeout and only PARALLEL scenarios load the machine at once.
for (let first = FIRST_SEED; first < FIRST_SEED + SCENARIOS; first += CHUNK) {
  const last = Math.min(first + CHUNK, FIRST_SEED + SCENARIOS) - 1;
  test.serial(`random scenarios, seeds ${first}-${last}, converge`, async (t) => {
    const seeds = Array.from({ length: last - first + 1 }, (_, index) => first + index);
    const chunk: ScenarioResult[] = [];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let seed = seeds.shift(); seed !== undefined; seed = seeds.shift())
          chunk.push(await runScenario(seed, OPTIONS));
      }),
    );
    results.push(...chunk);
    const failed = chunk.filter((result) => !result.converged);
    for (const result of failed) t.log(`seed ${result.seed} did not converge: ${result.difference}`);
    t.deepEqual(
      failed.map((result) => result.seed),
      [],
    );
  });
}

test.serial('convergence summary', (t) => {
  const converged = results.filter((result) => result.converged);
  const injected: Partial<Record<FaultName, number>> = {};
  for (const result of results) {
    for (const [fault, count] of Object.entries(result.injected) as [FaultName, number][])
      injected[fault] = (injected[fault] ?? 0) + count;
  }
  const slowest = Math.max(...converged.map((result) => result.convergedInMs));
  t.log(
    `${converged.length}/${SCENARIOS} scenarios converged (seeds ${FIRST_SEED}-${FIRST_SEED + SCENARIOS - 1}), slowest in ${slowest} ms`,
  );
  t.log(
    `operations: ${results.reduce((sum, result) => sum + result.operations, 0)}; faults injected: ${JSON.stringify(injected)}`,
  );
  const byKind = new Map<string, Partial<Record<FaultName, number>>>();
  for (const result of results) {
    for (const [kind, counts] of result.injectedByKind) {
      const total = byKind.get(kind) ?? {};
      for (const [fault, count] of Object.entries(counts) as [FaultName, number][])
        total[fault] = (total[fault] ?? 0) + count;
      byKind.set(kind, total);
    }
  }
  for (const [kind, counts] of byKind) t.log(`  ${kind}: ${JSON.stringify(counts)}`);
  t.is(converged.length, SCENARIOS);
});
