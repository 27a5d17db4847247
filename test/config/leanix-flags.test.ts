import test from 'ava';
import { defaultConfig, parseConfig } from '../../src/config/exporter.js';
import { UsageError } from '../../src/util/errors.js';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const result = parseConfig(argv, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result.config;
};

test('LeanIX defaults: all namespaces but the system ones, bounded history, no push', (t) => {
  const config = defaultConfig();
  t.is(config.leanix.includeNamespaces, undefined);
  t.deepEqual([...config.leanix.excludeNamespaces], ['kube-system', 'kube-public']);
  t.is(config.leanix.historyPerDeployment, 20);
  t.is(config.leanix.historyMax, 5000);
  t.is(config.leanix.connectorId, 'kubernetes');
  t.is(config.leanix.pushUrl, undefined);
  t.is(config.leanix.pushDebounceMs, 10000);
});

test('LeanIX flags and their environment variables', (t) => {
  t.deepEqual([...(run(['--leanix-include-namespaces', 'a, b']).leanix.includeNamespaces ?? [])], ['a', 'b']);
  t.is(run([], { KUBE_API_EXPORTER_LEANIX_HISTORY_MAX: '7' }).leanix.historyMax, 7);
  t.is(run(['--leanix-history-per-deployment=3']).leanix.historyPerDeployment, 3);
  t.is(
    run(['--leanix-push-url', 'https://leanix.example/ingest?x=1']).leanix.pushUrl,
    'https://leanix.example/ingest?x=1',
  );
  t.is(run(['--leanix-push-debounce-ms', '0']).leanix.pushDebounceMs, 0);
  t.is(run(['--leanix-connector-id', ' prod-eu ']).leanix.connectorId, 'prod-eu');
});

const badInputs: ReadonlyArray<readonly [string[], RegExp]> = [
  [['--leanix-push-url', 'ftp://x'], /invalid --leanix-push-url "ftp:\/\/x": expected an http:\/\/ or https:\/\/ URL/],
  [['--leanix-push-url', 'not a url'], /invalid --leanix-push-url/],
  [['--leanix-push-debounce-ms', '1s'], /invalid --leanix-push-debounce-ms "1s": expected a whole number/],
  [['--leanix-history-max', '0'], /invalid --leanix-history-max "0": expected a whole number above 0/],
  [['--leanix-history-per-deployment', '-1'], /ambiguous|invalid/],
  [['--leanix-connector-id', ' '], /invalid --leanix-connector-id " ": expected a non-empty value/],
];

for (const [argv, message] of badInputs) {
  test(`rejects ${JSON.stringify(argv)}`, (t) => {
    const error = t.throws(() => parseConfig(argv, {}), { instanceOf: UsageError });
    t.regex(error!.message, message);
  });
}
