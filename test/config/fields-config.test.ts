import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadFieldsConfig, parseFieldsConfig } from '../../src/config/fields-config.js';
import { compileDeclared, renderDeclared } from '../../src/metrics/declared.js';
import { renderSample, type Sample } from '../../src/metrics/exposition.js';
import { NO_LIMITS, noneDropped } from '../../src/metrics/flatten.js';
import { UsageError } from '../../src/util/errors.js';

const CRONTAB_YAML = `
# A custom resource: its phase as a closed state set, condition reasons, an info series, a map's keys and values, a
# percentage scaled against a count, a zero default.
kinds:
  crontab:
    stateSets:
      - path: status.phase
        label: phase
        values: [Scheduled, Running, Failed]
      - path: status.conditions[].reason
        label: reason
    info:
      - name: info
        labels: { schedule: spec.cronSpec, image: spec.image }
    keys:
      - { name: spec_env, path: spec.env, label: key, valueLabel: value }
    percents:
      - { path: spec.maxFailed, of: spec.runs, round: down }
    zeros: [status.activeRuns]
`;

test('a YAML file declares a custom resource: state set, condition reasons, info, keys, percentage, zero default', (t) => {
  const kinds = parseFieldsConfig(CRONTAB_YAML);
  const samples: Sample[] = [];
  const crontab = {
    metadata: { name: 'nightly', namespace: 'data' },
    spec: { cronSpec: '0 0 * * *', image: 'backup:2', env: { stage: 'prod' }, maxFailed: '50%', runs: 5 },
    status: { phase: 'Failed', conditions: [{ type: 'Healthy', status: 'False', reason: 'BackoffLimitExceeded' }] },
  };
  renderDeclared(
    'crontab',
    { name: 'nightly', namespace: 'data' },
    crontab,
    samples,
    NO_LIMITS,
    noneDropped(),
    compileDeclared(kinds),
  );
  const id = 'name="nightly",namespace="data"';
  t.deepEqual(
    samples.map((sample) => renderSample(sample).trimEnd()),
    [
      `k8s_crontab_status_phase{${id},phase="Scheduled"} 0`,
      `k8s_crontab_status_phase{${id},phase="Running"} 0`,
      `k8s_crontab_status_phase{${id},phase="Failed"} 1`,
      `k8s_crontab_status_conditions_reason{${id},condition="Healthy",reason="BackoffLimitExceeded"} 1`,
      `k8s_crontab_info{${id},schedule="0 0 * * *",image="backup:2"} 1`,
      `k8s_crontab_spec_env{${id},key="stage",value="prod"} 1`,
      `k8s_crontab_spec_maxFailed{${id}} 2`,
      `k8s_crontab_status_activeRuns{${id}} 0`,
    ],
  );
});

test('JSON is read too', (t) => {
  const kinds = parseFieldsConfig(
    JSON.stringify({ kinds: { widget: { stateSets: [{ path: 'status.state', label: 'state' }] } } }),
  );
  t.deepEqual(kinds, { widget: { stateSets: [{ path: 'status.state', label: 'state' }] } });
});

const badFiles: ReadonlyArray<readonly [title: string, text: string, message: string]> = [
  ['not YAML', 'kinds: [unclosed', 'not YAML or JSON'],
  ['no kinds', 'crontab: {}', '(top level): missing "kinds"'],
  ['a typo in a key', 'kinds:\n  crontab:\n    stateSet: []', 'kinds.crontab: unknown key "stateSet"'],
  [
    'a state set without its label',
    'kinds:\n  crontab:\n    stateSets:\n      - path: status.phase',
    'kinds.crontab.stateSets[0]: missing "label"',
  ],
  [
    'a label name Prometheus refuses',
    'kinds:\n  crontab:\n    stateSets:\n      - { path: status.phase, label: "the-phase" }',
    'kinds.crontab.stateSets[0].label: must match pattern',
  ],
  [
    'an unknown "of"',
    'kinds:\n  crontab:\n    stateSets:\n      - { path: status.phase, label: phase, of: name }',
    'kinds.crontab.stateSets[0].of: must be one of value, key',
  ],
  [
    'a bad path',
    'kinds:\n  crontab:\n    stateSets:\n      - { path: "status..phase", label: phase }',
    'kinds.crontab.stateSets[0]: "status..phase" is not a field path',
  ],
  [
    'a label the identity takes',
    'kinds:\n  crontab:\n    info:\n      - { name: info, labels: { namespace: spec.ns } }',
    'kinds.crontab.info[0]: label "namespace" is taken',
  ],
  [
    'an unknown derivation',
    'kinds:\n  crontab:\n    info:\n      - { name: info, labels: { owner: "@owner" } }',
    'kinds.crontab.info[0]: owner: unknown derivation @owner',
  ],
  [
    'a zero default through a list',
    'kinds:\n  crontab:\n    zeros: ["status.runs[].count"]',
    'kinds.crontab.zeros[0]: "status.runs[].count" must name one field, without lists',
  ],
  [
    'a percentage rounded neither up nor down',
    'kinds:\n  crontab:\n    percents: [{ path: spec.maxFailed, of: spec.runs, round: nearest }]',
    'kinds.crontab.percents[0].round: must be one of',
  ],
  [
    'a family declared twice',
    'kinds:\n  crontab:\n    info:\n      - { name: info, labels: { a: spec.a } }\n      - { name: info, labels: { b: spec.b } }',
    'kinds.crontab.info[1]: name: k8s_crontab_info is declared twice',
  ],
  ['a kind name that is not a metric name', 'kinds:\n  Cron-Tab: {}', 'kinds: key "Cron-Tab" is not a valid name'],
];

for (const [title, text, message] of badFiles) {
  test(`a bad fields file names the place: ${title}`, (t) => {
    const error = t.throws(() => parseFieldsConfig(text));
    t.true(error.message.startsWith(message), error.message);
  });
}

test('loadFieldsConfig: a UsageError (exit 2) naming the file and the place, or the missing file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fields-'));
  const bad = join(dir, 'fields.yaml');
  writeFileSync(bad, 'kinds:\n  crontab:\n    stateSets:\n      - path: status.phase\n');
  const error = t.throws(() => loadFieldsConfig(bad), { instanceOf: UsageError });
  t.is(error.message, `--fields-config ${bad}: kinds.crontab.stateSets[0]: missing "label"`);
  const missing = t.throws(() => loadFieldsConfig(join(dir, 'nope.yaml')), { instanceOf: UsageError });
  t.is(missing.message, `--fields-config ${join(dir, 'nope.yaml')}: ENOENT`);
  writeFileSync(bad, CRONTAB_YAML);
  t.deepEqual(Object.keys(loadFieldsConfig(bad)), ['crontab']);
});
