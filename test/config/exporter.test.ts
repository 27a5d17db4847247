import test from 'ava';
import { FLAGS, helpText, parseConfig } from '../../src/config/exporter.js';
import { UsageError } from '../../src/util/errors.js';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const result = parseConfig(argv, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result.config;
};

test('defaults', (t) => {
  const config = run([]);
  t.is(config.http.port, 8080);
  t.is(config.http.host, '0.0.0.0');
  t.is(config.kubeconfig, undefined);
  t.deepEqual([...config.leanix.excludeNamespaces], ['kube-system', 'kube-public']);
  t.is(config.logLevel, 'info');
  t.is(config.watch.timeoutSeconds, 300);
  t.is(config.watch.idleTimeoutMs, 120 * 1000);
  t.deepEqual(
    [config.limits.maxDepth, config.limits.maxSeriesPerObject, config.limits.maxLabelValueLength],
    [32, 10000, 512],
  );
  t.deepEqual(config.scope.kinds, []);
  t.deepEqual([config.scope.namespaces, config.scope.namespacesExclude], [[], []]);
  t.deepEqual([config.scope.labelSelectors.size, config.scope.fieldSelectors.size], [0, 0]);
  t.deepEqual([config.cardinality.allow, config.cardinality.deny, config.cardinality.seriesLimits.size], [[], [], 0]);
});

test('cardinality flags', (t) => {
  const config = run(['--metric-denylist', '*_ready', '--kind-series-limit', 'pod=200'], {
    KUBE_API_EXPORTER_METRIC_ALLOWLIST: 'k8s_pod_*,k8s_node_*',
  });
  t.deepEqual(config.cardinality.allow, ['k8s_pod_*', 'k8s_node_*']);
  t.deepEqual(config.cardinality.deny, ['*_ready']);
  t.deepEqual([...config.cardinality.seriesLimits], [['pod', 200]]);
});

test("--metric-names: ours by default, kube-state-metrics' with ksm, anything else a usage error", (t) => {
  t.is(run([]).metricNames, 'k8s');
  t.is(run(['--metric-names', 'ksm']).metricNames, 'ksm');
  t.is(run([], { KUBE_API_EXPORTER_METRIC_NAMES: 'ksm' }).metricNames, 'ksm');
  t.throws(() => run(['--metric-names', 'kube']), { instanceOf: UsageError, message: /--metric-names.*k8s, ksm/ });
});

test('declared field flags: the fields file path, label and annotation allow lists in kube-state-metrics syntax', (t) => {
  const config = run(['--metric-labels-allowlist', 'pods=[app,team],nodes=[*]', '--fields-config', 'fields.yaml'], {
    KUBE_API_EXPORTER_METRIC_ANNOTATIONS_ALLOWLIST: 'deployments=[owner.example.com/team] , pods=[a]',
  });
  t.is(config.declared.fieldsConfig, 'fields.yaml');
  t.deepEqual(
    [...config.declared.labelsAllowlist],
    [
      ['pods', ['app', 'team']],
      ['nodes', ['*']],
    ],
  );
  t.deepEqual(
    [...config.declared.annotationsAllowlist],
    [
      ['deployments', ['owner.example.com/team']],
      ['pods', ['a']],
    ],
  );
  t.deepEqual([...run([]).declared.annotationsAllowlist], [], 'no annotations unless asked');
});

test('sharding flags', (t) => {
  const config = run(['--shard', '2', '--total-shards=3']);
  t.deepEqual(
    [config.sharding.shard, config.sharding.totalShards, config.sharding.pod, config.sharding.podNamespace],
    [2, 3, undefined, undefined],
  );
  const auto = run([], { KUBE_API_EXPORTER_POD: 'kae-1', KUBE_API_EXPORTER_POD_NAMESPACE: 'monitoring' });
  t.deepEqual(
    [auto.sharding.shard, auto.sharding.totalShards, auto.sharding.pod, auto.sharding.podNamespace],
    [0, 1, 'kae-1', 'monitoring'],
  );
});

test('scoping flags', (t) => {
  const config = run(['--namespaces', 'a, b', '--field-selector', 'pod=status.phase=Running'], {
    KUBE_API_EXPORTER_NAMESPACES_EXCLUDE: 'kube-system',
    KUBE_API_EXPORTER_LABEL_SELECTOR: 'pod=app=web;node=role',
  });
  t.deepEqual(config.scope.namespaces, ['a', 'b']);
  t.deepEqual(config.scope.namespacesExclude, ['kube-system']);
  t.deepEqual(
    [...config.scope.labelSelectors],
    [
      ['pod', 'app=web'],
      ['node', 'role'],
    ],
  );
  t.deepEqual([...config.scope.fieldSelectors], [['pod', 'status.phase=Running']]);
});

test('flags win over environment, environment over defaults', (t) => {
  const env = { KUBE_API_EXPORTER_PORT: '9000', KUBE_API_EXPORTER_HOST: '127.0.0.1' };
  t.is(run([], env).http.port, 9000);
  t.is(run(['--port', '9100'], env).http.port, 9100);
  t.is(run(['--port=9200'], env).http.port, 9200);
  t.is(run([], env).http.host, '127.0.0.1');
  t.is(run(['--kubeconfig', '/k'], {}).kubeconfig, '/k');
  t.is(run([], { KUBE_API_EXPORTER_KUBECONFIG: '/e' }).kubeconfig, '/e');
});

test("--redis-url, else telemd-kubernetes-adapter's variables, else no Redis", (t) => {
  const adapterEnv = {
    telemd_kubernetes_adapter_redis_host: 'redis.galileo',
    telemd_kubernetes_adapter_redis_port: '6380',
  };
  t.is(run([]).events.redisUrl, undefined);
  t.is(run(['--redis-url', 'redis://r:7000/2']).events.redisUrl, 'redis://r:7000/2');
  t.is(run([], { KUBE_API_EXPORTER_REDIS_URL: 'rediss://user:pw@r' }).events.redisUrl, 'rediss://user:pw@r');
  t.is(run([], adapterEnv).events.redisUrl, 'redis://redis.galileo:6380');
  t.is(
    run([], { telemd_kubernetes_adapter_redis_host: 'redis.galileo' }).events.redisUrl,
    'redis://redis.galileo:6379',
  );
  t.is(
    run([], { telemd_kubernetes_adapter_redis_port: '6380' }).events.redisUrl,
    undefined,
    'a port alone is no Redis',
  );
  t.is(run(['--redis-url', 'redis://flag'], adapterEnv).events.redisUrl, 'redis://flag');
  t.is(run([], { ...adapterEnv, KUBE_API_EXPORTER_REDIS_URL: 'redis://env' }).events.redisUrl, 'redis://env');
});

test('every flag has an environment variable', (t) => {
  for (const spec of FLAGS) t.regex(spec.env, /^KUBE_API_EXPORTER_[A-Z_]+$/);
});

test('namespace lists: trimmed, empty means none', (t) => {
  t.deepEqual([...run(['--leanix-exclude-namespaces', ' a, b ,,c']).leanix.excludeNamespaces], ['a', 'b', 'c']);
  t.deepEqual([...run(['--leanix-exclude-namespaces', '']).leanix.excludeNamespaces], []);
});

const badInputs: ReadonlyArray<readonly [string[], Record<string, string>, RegExp]> = [
  [['--bogus'], {}, /Unknown option '--bogus'/],
  [['--port', 'abc'], {}, /invalid --port "abc": expected a port number/],
  [['--port', '70000'], {}, /invalid --port "70000"/],
  [['--port', '-1'], {}, /'--port' argument is ambiguous/],
  [['--port', '1.5'], {}, /invalid --port "1.5"/],
  [[], { KUBE_API_EXPORTER_PORT: 'x' }, /invalid \$KUBE_API_EXPORTER_PORT "x"/],
  [['--log-level', 'loud'], {}, /invalid --log-level "loud": expected one of error, warn, info, debug/],
  [['--watch-timeout', '0'], {}, /invalid --watch-timeout "0": expected a whole number of seconds/],
  [[], { KUBE_API_EXPORTER_WATCH_IDLE_TIMEOUT: '1.5' }, /invalid \$KUBE_API_EXPORTER_WATCH_IDLE_TIMEOUT "1.5"/],
  [['--max-depth', '0'], {}, /invalid --max-depth "0": expected a whole number, at least 1/],
  [['--max-series-per-object', 'lots'], {}, /invalid --max-series-per-object "lots"/],
  [['positional'], {}, /positional/],
  [['--total-shards', '0'], {}, /invalid --total-shards "0": expected a whole number above 0/],
  [['--kind-series-limit', 'pod=-1'], {}, /invalid --kind-series-limit "pod=-1": "pod=-1" is not KIND=N/],
  [
    ['--metric-denylist', 'k8s_pod_?'],
    {},
    /invalid --metric-denylist "k8s_pod_\?": "k8s_pod_\?" is not a metric name glob/,
  ],
  [['--shard', '1.5'], {}, /invalid --shard "1.5": expected a whole number/],
  [['--namespaces', 'shop,Bad_Name'], {}, /invalid --namespaces "shop,Bad_Name": "Bad_Name" is not a namespace name/],
  [
    ['--label-selector', 'pod=app=a=b'],
    {},
    /invalid --label-selector "pod=app=a=b": unable to parse requirement: app=a=b/,
  ],
  [
    ['--field-selector', 'status.phase=Running'],
    {},
    /invalid --field-selector "status.phase=Running": "status.phase=Running" is not KIND=SELECTOR/,
  ],
  [['--kinds', 'daemonset,secrets'], {}, /invalid --kinds "daemonset,secrets": unknown kind "secrets"/],
  [
    [],
    { KUBE_API_EXPORTER_KINDS: 'a/b' },
    /invalid \$KUBE_API_EXPORTER_KINDS "a\/b": "a\/b" is not group\/version\/plural/,
  ],
  [['--port'], {}, /argument missing/],
  [
    ['--metric-labels-allowlist', 'pods=app'],
    {},
    /invalid --metric-labels-allowlist "pods=app": expected KIND=\[key,...\]/,
  ],
  [
    [],
    { KUBE_API_EXPORTER_METRIC_ANNOTATIONS_ALLOWLIST: 'pods=[bad key]' },
    /"bad key" is not a label or annotation key/,
  ],
  [['--report-interval', '10'], {}, /invalid --report-interval "10": expected a duration/],
  [['--report-interval', '0s'], {}, /at least 1ms/],
  [['--report-format', 'xml'], {}, /invalid --report-format "xml": expected one of spartakus, tectonic/],
  [['--report-url', 'ftp://x'], {}, /invalid --report-url "ftp:\/\/x": expected an http:\/\/ or https:\/\/ URL/],
  [['--report-url', 'not a url'], {}, /invalid --report-url/],
  [['--cluster-id', ' '], {}, /invalid --cluster-id " ": expected a non-empty value/],
  [
    ['--redis-url', 'localhost:6379'],
    {},
    /invalid --redis-url "localhost:6379": expected redis:\/\/host\[:port\] or rediss:\/\//,
  ],
  [['--redis-url', 'redis://:6379'], {}, /invalid --redis-url "redis:\/\/:6379"/],
  [
    [],
    { telemd_kubernetes_adapter_redis_host: 'r', telemd_kubernetes_adapter_redis_port: 'x' },
    /invalid \$telemd_kubernetes_adapter_redis_host\/_port "redis:\/\/r:x": expected redis:\/\/host\[:port\]/,
  ],
];

for (const [argv, env, message] of badInputs) {
  test(`rejects ${JSON.stringify(argv)} ${JSON.stringify(env)}`, (t) => {
    const error = t.throws(() => parseConfig(argv, env), { instanceOf: UsageError });
    t.regex(error!.message, message);
    t.false(error!.message.includes('\n'), 'one line');
  });
}

test('--help and --version', (t) => {
  t.deepEqual(parseConfig(['--help'], {}), { action: 'help' });
  t.deepEqual(parseConfig(['-h'], {}), { action: 'help' });
  t.deepEqual(parseConfig(['--version'], {}), { action: 'version' });
  for (const spec of FLAGS) {
    t.true(helpText().includes(`--${spec.flag}`));
    t.true(helpText().includes(spec.env));
  }
});

test('report flags: off by default, daily, spartakus', (t) => {
  const config = run([]);
  t.is(config.report.url, undefined);
  t.is(config.report.intervalMs, 24 * 3600 * 1000);
  t.is(config.report.format, 'spartakus');
  t.is(config.report.clusterId, undefined);
});

const durations: ReadonlyArray<readonly [string, number]> = [
  ['500ms', 500],
  ['30s', 30_000],
  ['15m', 900_000],
  ['24h', 86_400_000],
  ['1h30m', 5_400_000],
  ['1.5s', 1500],
];

for (const [text, ms] of durations) {
  test(`--report-interval ${text}`, (t) => {
    t.is(run(['--report-interval', text]).report.intervalMs, ms);
  });
}
