/**
 * The exporter's promise end to end, with the real Prometheus components: a failing rollout in the (simulated) API
 * server → the exporter → Prometheus scraping it with the shipped scrape job and evaluating the shipped rules →
 * Alertmanager → a webhook. Then the rollout recovers and the alerts resolve.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { seedDemoCluster } from '../../src/demo/cluster.js';
import { DEPLOYMENT } from '../../src/kinds/table.js';
import { promtoolProblems } from '../support/assertions/exposition.js';
import { eventually, startTestCluster } from '../support/harness/cluster.js';
import { loadRuleGroups, type RuleGroup } from '../support/harness/rules.js';
import { ALERTMANAGER, PROMETHEUS, PROMTOOL, testNeeding } from '../support/harness/tools.js';
import { prometheusApi, type RunningServer, startAlertingPipeline } from '../support/servers/prometheus.js';

/** The test here needs Prometheus, Alertmanager and promtool: without them, ava reports it skipped. */
const test = testNeeding(PROMETHEUS, ALERTMANAGER, PROMTOOL);

const deploymentKind = DEPLOYMENT;
const NAMESPACE = 'shop';
const NAME = 'checkout';
const ROLLOUT_ALERTS = ['DeploymentGenerationMismatch', 'DeploymentReplicasMismatch'];
/** The test copy of the rules waits this long instead of minutes. */
const SHORT_FOR = '3s';
const DEADLINE_MS = 20_000;

const checkout = {
  metadata: { name: NAME, namespace: NAMESPACE, generation: 1, labels: { app: NAME } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: NAME } },
    template: {
      metadata: { labels: { app: NAME } },
      spec: { containers: [{ name: 'app', image: 'shop/checkout:1.0' }] },
    },
  },
  status: {
    observedGeneration: 1,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  },
};

interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

interface WebhookMessage {
  readonly receivedAt: number;
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

function shortenFor(groups: readonly RuleGroup[]): RuleGroup[] {
  return groups.map((group) => ({ ...group, rules: group.rules.map((rule) => ({ ...rule, for: SHORT_FOR })) }));
}

/** Alertmanager's webhook receiver: records every notification. */
async function startWebhookReceiver(t: ExecutionContext) {
  const messages: WebhookMessage[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      messages.push({ ...JSON.parse(body), receivedAt: Date.now() });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, messages };
}

/** The value of `k8s_deployment_<path>` for the checkout deployment in Prometheus, undefined when absent. */
async function checkoutSeries(prometheus: RunningServer, path: string): Promise<number | undefined> {
  const query = `k8s_deployment_${path}{namespace="${NAMESPACE}",name="${NAME}"}`;
  const { result } = await prometheusApi<{ result: { value: [number, string] }[] }>(
    prometheus,
    `query?query=${encodeURIComponent(query)}`,
  );
  return result.length === 0 ? undefined : Number(result[0].value[1]);
}

async function checkoutAlerts(prometheus: RunningServer): Promise<PrometheusAlert[]> {
  const { alerts } = await prometheusApi<{ alerts: PrometheusAlert[] }>(prometheus, 'alerts');
  return alerts.filter((alert) => alert.labels.namespace === NAMESPACE && alert.labels.name === NAME);
}

test('a failing rollout fires the deployment alerts through Prometheus and Alertmanager to a webhook, and they resolve', async (t) => {
  t.timeout(60_000);
  const cluster = await startTestCluster(t, {
    seed: (api) => {
      seedDemoCluster(api);
      api.create(deploymentKind, checkout);
    },
  });
  t.deepEqual(promtoolProblems(await cluster.text('/metrics')), [], "promtool check metrics on the demo's /metrics");

  const webhook = await startWebhookReceiver(t);
  const { prometheus } = await startAlertingPipeline(t, {
    exporterHost: new URL(cluster.exporter.url).host,
    webhookUrl: webhook.url,
    ruleGroups: shortenFor(loadRuleGroups()),
  });

  // The shipped scrape job keeps exactly the exporter's metrics port, and the series keep the object's namespace.
  await eventually(
    async () => (await checkoutSeries(prometheus, 'status_availableReplicas')) === 3,
    'checkout scraped',
    DEADLINE_MS,
  );
  const targets = await prometheusApi<{
    activeTargets: { health: string; labels: Record<string, string> }[];
    droppedTargets: unknown[];
  }>(prometheus, 'targets');
  t.deepEqual(
    targets.activeTargets.map((target) => [target.labels.job, target.health]),
    [['kube-api-exporter', 'up']],
  );
  const nodeSeries = await prometheusApi<{ result: { metric: Record<string, string> }[] }>(
    prometheus,
    `query?query=${encodeURIComponent('k8s_node_status_conditions_status{condition="Ready"}')}`,
  );
  t.deepEqual(
    nodeSeries.result.map(({ metric }) => metric.namespace),
    [undefined, undefined, undefined],
    'nodes have no namespace',
  );

  t.deepEqual(await checkoutAlerts(prometheus), []);
  const failedAt = Date.now();
  cluster.api.update(deploymentKind, NAMESPACE, NAME, (object) => {
    object.spec.template.spec.containers[0].image = 'shop/checkout:1.1-broken';
    delete object.status.availableReplicas;
    delete object.status.readyReplicas;
    object.status.unavailableReplicas = 3;
  });

  const statesSeen = new Map<string, Set<string>>(ROLLOUT_ALERTS.map((alert) => [alert, new Set()]));
  await eventually(
    async () => {
      for (const alert of await checkoutAlerts(prometheus)) statesSeen.get(alert.labels.alertname)?.add(alert.state);
      return [...statesSeen.values()].every((states) => states.has('firing'));
    },
    'rollout alerts firing',
    DEADLINE_MS,
  );
  for (const [alert, states] of statesSeen)
    t.deepEqual([...states].sort(), ['firing', 'pending'], `${alert} went pending, then firing`);
  t.is(await checkoutSeries(prometheus, 'metadata_generation'), 2);
  t.is(await checkoutSeries(prometheus, 'status_observedGeneration'), 1);
  // The API omits availableReplicas when none is available; the exporter declares it 0 then (README "Declared fields").
  t.is(await checkoutSeries(prometheus, 'status_availableReplicas'), 0);
  const firing = await checkoutAlerts(prometheus);
  t.deepEqual(firing.map((alert) => alert.labels.alertname).sort(), ROLLOUT_ALERTS);
  for (const alert of firing) {
    t.like(alert.labels, { namespace: NAMESPACE, name: NAME, severity: 'critical', job: 'kube-api-exporter' });
    t.false('exported_namespace' in alert.labels);
    t.is(alert.annotations.summary, `Deployment of ${NAMESPACE}/${NAME} failed`);
  }

  const delivered = (status: string) =>
    ROLLOUT_ALERTS.every((alertname) =>
      webhook.messages.some((message) =>
        message.alerts.some(
          (alert) => alert.status === status && alert.labels.alertname === alertname && alert.labels.name === NAME,
        ),
      ),
    );
  await eventually(() => delivered('firing'), 'webhook notified of the firing alerts', DEADLINE_MS);
  // The demo cluster's own failing pods notify too: the first notice about checkout.
  const firstNotice = webhook.messages.find(
    (message) => message.status === 'firing' && message.alerts[0].labels.name === NAME,
  )!;
  t.like(firstNotice.alerts[0], {
    labels: { namespace: NAMESPACE, name: NAME },
    annotations: { summary: `Deployment of ${NAMESPACE}/${NAME} failed` },
  });
  t.regex(firstNotice.alerts[0].annotations.description, new RegExp(`kubectl -n ${NAMESPACE} .*${NAME}`));
  t.log(
    `failing rollout → Alertmanager webhook: ${((firstNotice.receivedAt - failedAt) / 1000).toFixed(1)} s (for: ${SHORT_FOR}, scrape and evaluation every 1 s)`,
  );

  cluster.api.update(deploymentKind, NAMESPACE, NAME, (object) => {
    object.status.observedGeneration = object.metadata.generation;
    object.status.availableReplicas = 3;
    object.status.readyReplicas = 3;
    delete object.status.unavailableReplicas;
  });
  await eventually(
    async () => (await checkoutAlerts(prometheus)).length === 0,
    'alerts resolved in Prometheus',
    DEADLINE_MS,
  );
  await eventually(() => delivered('resolved'), 'webhook notified of the resolution', DEADLINE_MS);
});
