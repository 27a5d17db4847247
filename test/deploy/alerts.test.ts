import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { KINDS } from '../../src/kinds/table.js';
import { parseLabels, type Sample } from '../../src/metrics/exposition.js';
import { flatten } from '../../src/metrics/flatten.js';
import {
  exporterSelectors,
  loadRuleGroups,
  RULE_TESTS_FILE,
  RULES_FILE,
  type Selector,
} from '../support/harness/rules.js';
import { PROMTOOL, testNeeding } from '../support/harness/tools.js';

const testWithPromtool = testNeeding(PROMTOOL);

const rules = loadRuleGroups().flatMap((group) => group.rules);
const ruleTests = parse(readFileSync(RULE_TESTS_FILE, 'utf8'));

/** Every series the exporter renders for the fixture objects. */
const fixtureSamples: Sample[] = (() => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/alerting-objects.json', import.meta.url), 'utf8'));
  return KINDS.flatMap((kind) =>
    (fixtures[kind.metricName] ?? []).flatMap((object: { metadata: { name: string; namespace?: string } }) =>
      flatten(
        `k8s_${kind.metricName}`,
        { name: object.metadata.name, namespace: kind.namespaced ? object.metadata.namespace : undefined },
        object,
      ),
    ),
  );
})();

const labelNamesOf = (sample: Sample) => parseLabels(sample.labelText).map(([name]) => name);

function renderedSeriesMatching(selector: Selector): Sample[] {
  return fixtureSamples.filter(
    (sample) =>
      sample.name === selector.metric &&
      Object.entries(selector.matchers).every(([name, value]) =>
        parseLabels(sample.labelText).some(([label, labelValue]) => label === name && labelValue === value),
      ),
  );
}

testWithPromtool('promtool check rules accepts the rule file', (t) => {
  const result = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
  t.is(result.status, 0, result.stdout + result.stderr);
  t.regex(result.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

testWithPromtool('promtool test rules passes the unit tests', (t) => {
  const result = spawnSync('promtool', ['test', 'rules', RULE_TESTS_FILE], {
    encoding: 'utf8',
    cwd: dirname(RULE_TESTS_FILE),
  });
  t.is(result.status, 0, result.stdout + result.stderr);
});

test('the deployment rules of the original exporter, and the rules users expect next to them', (t) => {
  t.deepEqual(
    rules.map((rule) => [rule.alert, rule.labels.severity, rule.for]),
    [
      ['DeploymentGenerationMismatch', 'critical', '5m'],
      ['DeploymentReplicasMismatch', 'critical', '5m'],
      ['DeploymentRolloutStuck', 'critical', '1m'],
      ['PodCrashLooping', 'warning', '5m'],
      ['PodNotReady', 'warning', '15m'],
      ['PodUnschedulable', 'warning', '15m'],
      ['NodeNotReady', 'warning', '15m'],
    ],
  );
});

test('every rule is unit tested firing and not firing', (t) => {
  const cases = ruleTests.tests.flatMap((ruleTest: { alert_rule_test: unknown[] }) => ruleTest.alert_rule_test) as {
    alertname: string;
    exp_alerts: unknown[];
  }[];
  for (const rule of rules) {
    const ofRule = cases.filter((testCase) => testCase.alertname === rule.alert);
    t.true(
      ofRule.some((testCase) => testCase.exp_alerts.length > 0),
      `${rule.alert} firing`,
    );
    t.true(
      ofRule.some((testCase) => testCase.exp_alerts.length === 0),
      `${rule.alert} not firing`,
    );
  }
});

test('every series the rules read is one the exporter renders, with the labels matched on', (t) => {
  for (const rule of rules) {
    for (const selector of exporterSelectors(rule.expr)) {
      t.true(
        renderedSeriesMatching(selector).length > 0,
        `${rule.alert}: ${selector.metric} ${JSON.stringify(selector.matchers)}`,
      );
    }
  }
});

test('the unit tests feed series exactly as the exporter renders them: same names, same label names', (t) => {
  const inputs: string[] = ruleTests.tests.flatMap((ruleTest: { input_series: { series: string }[] }) =>
    ruleTest.input_series.map((input) => input.series),
  );
  for (const series of inputs) {
    const [selector] = exporterSelectors(series);
    const labelNames = Object.keys(selector.matchers).sort();
    const rendered = fixtureSamples.filter((sample) => sample.name === selector.metric);
    t.true(
      rendered.some((sample) => JSON.stringify(labelNamesOf(sample).sort()) === JSON.stringify(labelNames)),
      `${series}: the exporter renders ${selector.metric} with labels ${JSON.stringify(rendered.map(labelNamesOf))}`,
    );
  }
});

test('annotations name the object by the labels the alert carries: namespace/name, never exported_namespace', (t) => {
  t.false(JSON.stringify(rules).includes('exported_namespace'));
  for (const rule of rules) {
    // Comparisons, `or` and `unless` keep the labels of their left-hand side: the first series in the expression.
    const [first] = exporterSelectors(rule.expr);
    const [sample] = renderedSeriesMatching(first);
    if (!sample) {
      t.fail(`${rule.alert}: ${first.metric} is not rendered`);
      continue;
    }
    const carried = new Set(labelNamesOf(sample));
    const namespaced = carried.has('namespace');
    for (const [key, text] of Object.entries(rule.annotations)) {
      for (const [, label] of text.matchAll(/\$labels\.(\w+)/g))
        t.true(carried.has(label), `${rule.alert} ${key}: $labels.${label}`);
      const objectName = namespaced ? '{{ $labels.namespace }}/{{ $labels.name }}' : '{{ $labels.name }}';
      t.true(text.includes(objectName), `${rule.alert} ${key} names ${objectName}`);
    }
    t.deepEqual(Object.keys(rule.annotations).sort(), ['description', 'summary'], rule.alert);
    t.true(rule.annotations.description.includes('kubectl'), `${rule.alert}: the description says what to run`);
  }
});

test('the README lists every alert with its severity and duration', (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = readme.split('\n').filter((line) => /^\| `[A-Z]\w+` \|/.test(line));
  t.deepEqual(
    rows.map((row) => row.split('|').map((cell) => cell.trim())).map((cells) => [cells[1], cells[2], cells[4]]),
    rules.map((rule) => [`\`${rule.alert}\``, rule.labels.severity, rule.for]),
  );
});
