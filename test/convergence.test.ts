/**
 * Convergence property: after any seeded random scenario of changes and API server faults goes quiet, /metrics and
 * /leanix.json equal what the API server's objects render to. CONVERGENCE_SCENARIOS and CONVERGENCE_FIRST_SEED
 * widen the search; a seed that ever fails goes into REGRESSION_SEEDS.
 */
import test from 'ava';
import type { FaultName } from '../src/simulated-apiserver.js';
import { runScenario, type ScenarioResult } from './support/scenario.js';

const SCENARIOS = Number(process.env.CONVERGENCE_SCENARIOS ?? 50);
const FIRST_SEED = Number(process.env.CONVERGENCE_FIRST_SEED ?? 1);
const PARALLEL = 4;
const OPTIONS = { steps: 40, convergeWithinMs: 20_000 };

/** Seeds that once failed, with what they found; each runs on its own. */
const REGRESSION_SEEDS: ReadonlyArray<readonly [number, string]> = [
  [1, 'services missing after a restart and compaction (before relisting after failures)'],
  [7, 'a watch resumed after a compaction that followed a restart missed an object (simulator kept old resourceVersions resumable)'],
  [10, 'a node missing after a restart and compaction (before relisting after failures)'],
];

for (const [seed, found] of REGRESSION_SEEDS) {
  test(`regression seed ${seed}: ${found}`, async (t) => {
    const result = await runScenario(seed, OPTIONS);
    t.true(result.converged, result.difference);
  });
}

test(`${SCENARIOS} random scenarios converge`, async (t) => {
  t.timeout(SCENARIOS * 20_000);
  const results: ScenarioResult[] = [];
  const seeds = Array.from({ length: SCENARIOS }, (_, index) => FIRST_SEED + index);
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let seed = seeds.shift(); seed !== undefined; seed = seeds.shift()) results.push(await runScenario(seed, OPTIONS));
    }),
  );
  const failed = results.filter((result) => !result.converged);
  const injected: Partial<Record<FaultName, number>> = {};
  for (const result of results) {
    for (const [fault, count] of Object.entries(result.injected) as [FaultName, number][]) injected[fault] = (injected[fault] ?? 0) + count;
  }
  const slowest = Math.max(...results.filter((result) => result.converged).map((result) => result.convergedInMs));
  t.log(`${results.length - failed.length}/${results.length} scenarios converged (seeds ${FIRST_SEED}-${FIRST_SEED + SCENARIOS - 1}), slowest in ${slowest} ms`);
  t.log(`operations: ${results.reduce((sum, result) => sum + result.operations, 0)}; faults injected: ${JSON.stringify(injected)}`);
  for (const result of failed) t.log(`seed ${result.seed} did not converge: ${result.difference}`);
  t.deepEqual(
    failed.map((result) => result.seed),
    [],
  );
});
