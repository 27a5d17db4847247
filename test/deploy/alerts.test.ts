import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { KINDS } from '../../src/kinds/table.js';
import { parseLabels, type Sample } from '../../src/metrics/exposition.js';
import { renderObject } from '../../src/metrics/render.js';
import {
  exporterSelectors,
  loadInhibitRules,
  loadRuleGroups,
  RULE_TESTS_FILE,
  RULES_FILE,
  type Selector,
} from '../support/harness/rules.js';
import { PROMTOOL, testNeeding } from '../support/harness/tools.js';

const testWithPromtool = testNeeding(PROMTOOL);

const rules = loadRuleGroups().flatMap((group) => group.rules);
const ruleTests = parse(readFileSync(RULE_TESTS_FILE, 'utf8'));

/** Every series the exporter renders for the fixture objects: flattened fields and declared ones. */
const fixtureSamples: Sample[] = (() => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/alerting-objects.json', import.meta.url), 'utf8'));
  return KINDS.flatMap((kind) =>
    (fixtures[kind.metricName] ?? []).flatMap((object: { metadata: { name: string; namespace?: string } }) => [
      ...renderObject(
        kind,
        { name: object.metadata.name, namespace: kind.namespaced ? object.metadata.namespace : undefined },
        object,
        {},
      ),
    ]),
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

test("the original exporter's deployment rules, kubernetes-mixin's for these kinds, and the cause alert", (t) => {
  t.deepEqual(
    rules.map((rule) => [rule.alert, rule.labels.severity, rule.for]),
    [
      ['DeploymentGenerationMismatch', 'critical', '5m'],
      ['DeploymentReplicasMismatch', 'critical', '5m'],
      ['DeploymentRolloutStuck', 'critical', '1m'],
      ['DeploymentPodsFailing', 'critical', '4m'],
      ['PodCrashLooping', 'warning', '15m'],
      ['PodNotReady', 'warning', '15m'],
      ['PodUnschedulable', 'warning', '15m'],
      ['ContainerWaiting', 'warning', '1h'],
      ['NodeNotReady', 'warning', '15m'],
      ['NodeUnreachable', 'warning', '15m'],
      ['NodePressure', 'info', '10m'],
      ['NodeReadinessFlapping', 'warning', '15m'],
      ['NodeTooManyPods', 'info', '15m'],
      ['ClusterCPUOvercommit', 'warning', '10m'],
      ['ClusterMemoryOvercommit', 'warning', '10m'],
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

/** The labels each alert carries when it fires, as its promtool unit tests expect them: those every firing case has. */
function labelsCarried(alert: string): Set<string> {
  const firing = ruleTests.tests
    .flatMap((ruleTest: { alert_rule_test: AlertTestCase[] }) => ruleTest.alert_rule_test)
    .filter((testCase: AlertTestCase) => testCase.alertname === alert)
    .flatMap((testCase: AlertTestCase) => testCase.exp_alerts.map((expected) => Object.keys(expected.exp_labels)));
  return new Set(firing[0]?.filter((label: string) => firing.every((labels: string[]) => labels.includes(label))));
}

interface AlertTestCase {
  readonly alertname: string;
  readonly exp_alerts: readonly { exp_labels: Record<string, string> }[];
}

test('annotations name the object by the labels the alert carries: namespace/name, never exported_namespace', (t) => {
  t.false(JSON.stringify(rules).includes('exported_namespace'));
  for (const rule of rules) {
    const carried = labelsCarried(rule.alert);
    const objectName = carried.has('namespace')
      ? '{{ $labels.namespace }}/{{ $labels.name }}'
      : carried.has('name')
        ? '{{ $labels.name }}'
        : undefined;
    for (const key of ['summary', 'description']) {
      const text = rule.annotations[key];
      for (const [, label] of text.matchAll(/\$labels\.(\w+)/g))
        t.true(carried.has(label), `${rule.alert} ${key}: $labels.${label}`);
      if (objectName) t.true(text.includes(objectName), `${rule.alert} ${key} names ${objectName}`);
    }
    t.deepEqual(Object.keys(rule.annotations).sort(), ['description', 'runbook_url', 'summary'], rule.alert);
    t.true(rule.annotations.description.includes('kubectl'), `${rule.alert}: the description says what to run`);
  }
  t.deepEqual(
    rules.filter((rule) => labelsCarried(rule.alert).size === 1).map((rule) => rule.alert),
    ['ClusterCPUOvercommit', 'ClusterMemoryOvercommit'],
    'only the cluster-wide alerts name no object (severity is their only label)',
  );
});

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation but `-` dropped, spaces as `-`. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

test("every alert's runbook_url points at its own README runbook, which says what to run", (t) => {
  const sections = readme.split(/^### /m).slice(1);
  for (const rule of rules) {
    t.is(rule.annotations.runbook_url, `README.md#${anchorOf(rule.alert)}`, rule.alert);
    const runbook = sections.find((section) => anchorOf(section.split('\n')[0]) === anchorOf(rule.alert));
    t.truthy(runbook, `README has a "### ${rule.alert}" runbook`);
    t.regex(runbook ?? '', /kubectl /, `${rule.alert}'s runbook names a first command`);
  }
});

test('the README lists every alert with its severity, duration and kubernetes-mixin counterpart', (t) => {
  const rows = readme
    .split('\n')
    .filter((line) => /^\| `[A-Z]\w+` \|/.test(line))
    .map((row) => row.split('|').map((cell) => cell.trim()));
  t.deepEqual(
    rows.map((cells) => [cells[1], cells[2], cells[4]]),
    rules.map((rule) => [`\`${rule.alert}\``, rule.labels.severity, rule.for]),
  );
  t.deepEqual(
    rows.map((cells) => [cells[1].replaceAll('`', ''), cells[5].replaceAll('`', '')]),
    [
      ['DeploymentGenerationMismatch', 'KubeDeploymentGenerationMismatch'],
      ['DeploymentReplicasMismatch', 'KubeDeploymentReplicasMismatch'],
      ['DeploymentRolloutStuck', 'KubeDeploymentRolloutStuck'],
      ['DeploymentPodsFailing', '—'],
      ['PodCrashLooping', 'KubePodCrashLooping'],
      ['PodNotReady', 'KubePodNotReady'],
      ['PodUnschedulable', '—'],
      ['ContainerWaiting', 'KubeContainerWaiting'],
      ['NodeNotReady', 'KubeNodeNotReady'],
      ['NodeUnreachable', 'KubeNodeUnreachable'],
      ['NodePressure', 'KubeNodePressure'],
      ['NodeReadinessFlapping', 'KubeNodeReadinessFlapping'],
      ['NodeTooManyPods', 'KubeletTooManyPods'],
      ['ClusterCPUOvercommit', 'KubeCPUOvercommit'],
      ['ClusterMemoryOvercommit', 'KubeMemoryOvercommit'],
    ],
  );
});

test("the inhibit rules' alerts exist, and both sides of each carry the labels it compares", (t) => {
  const inhibitRules = loadInhibitRules() as {
    source_matchers: string[];
    target_matchers: string[];
    equal: string[];
  }[];
  const namesMatched = (matchers: string[]) => {
    const [, operator, pattern] = /^alertname(=~?)"(.*)"$/.exec(matchers[0]) ?? [];
    return rules
      .map((rule) => rule.alert)
      .filter((alert) => (operator === '=' ? alert === pattern : new RegExp(`^(?:${pattern})$`).test(alert)));
  };
  const everyLabelOf = (alert: string) =>
    ruleTests.tests
      .flatMap((ruleTest: { alert_rule_test: AlertTestCase[] }) => ruleTest.alert_rule_test)
      .filter((testCase: AlertTestCase) => testCase.alertname === alert)
      .flatMap((testCase: AlertTestCase) =>
        testCase.exp_alerts.flatMap((expected) => Object.keys(expected.exp_labels)),
      );
  t.is(inhibitRules.length, 4);
  for (const rule of inhibitRules) {
    const [sources, targets] = [namesMatched(rule.source_matchers), namesMatched(rule.target_matchers)];
    t.is(sources.length, 1, rule.source_matchers[0]);
    t.is(targets.length, rule.target_matchers[0].split('|').length, rule.target_matchers[0]);
    for (const label of rule.equal) {
      t.true(labelsCarried(sources[0]).has(label), `${sources[0]} always carries ${label}`);
      for (const target of targets) t.true(everyLabelOf(target).includes(label), `${target} can carry ${label}`);
    }
  }
});
