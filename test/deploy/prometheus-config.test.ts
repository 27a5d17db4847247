/** The files for Prometheus itself: the plain scrape job, and the Prometheus Operator's ServiceMonitor and PrometheusRule. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { K8S_DIR, loadManifests, objectOfKind, parseYamlDocuments } from '../support/harness/manifests.js';
import { loadRuleGroups } from '../support/harness/rules.js';
import { SCRAPE_CONFIG_FILE } from '../support/servers/prometheus.js';

const OPERATOR_DIR = join(K8S_DIR, 'prometheus-operator');
const manifests = loadManifests();
const service = objectOfKind(manifests, 'Service');
const deployment = objectOfKind(manifests, 'Deployment');
const [serviceMonitor] = parseYamlDocuments(join(OPERATOR_DIR, 'service-monitor.yaml')) as any[];
const [prometheusRule] = parseYamlDocuments(join(OPERATOR_DIR, 'prometheus-rule.yaml')) as any[];

/** Prometheus anchors relabelling regexes at both ends. */
const fullMatch = (regex: string, value: string) => new RegExp(`^(?:${regex})$`).test(value);

test('the plain scrape job honours the exporter labels and keeps only its metrics port', (t) => {
  const { scrape_configs: jobs } = parse(readFileSync(SCRAPE_CONFIG_FILE, 'utf8'));
  t.is(jobs.length, 1);
  const [job] = jobs;
  t.is(job.job_name, 'kube-api-exporter');
  t.true(job.honor_labels);
  t.deepEqual(job.kubernetes_sd_configs, [{ role: 'pod', namespaces: { names: [deployment.metadata.namespace] } }]);
  const [keep] = job.relabel_configs;
  t.is(keep.action, 'keep');
  const podLabel = deployment.spec.template.metadata.labels['app.kubernetes.io/name'];
  t.true(fullMatch(keep.regex, `${podLabel};http`));
  t.false(fullMatch(keep.regex, `${podLabel};debug`));
  t.false(fullMatch(keep.regex, `other;http`));
});

test('the PrometheusRule carries exactly the rule groups of alerts/', (t) => {
  t.like(prometheusRule, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { namespace: deployment.metadata.namespace },
  });
  t.deepEqual(Object.keys(prometheusRule.spec), ['groups']);
  t.deepEqual(prometheusRule.spec.groups, loadRuleGroups());
});

test("the ServiceMonitor scrapes the Service's metrics port, honouring the exporter's labels", (t) => {
  t.like(serviceMonitor, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { namespace: service.metadata.namespace },
  });
  t.deepEqual(serviceMonitor.spec.namespaceSelector, { matchNames: [service.metadata.namespace] });
  for (const [label, value] of Object.entries<string>(serviceMonitor.spec.selector.matchLabels))
    t.is(service.metadata.labels?.[label], value, label);
  const [endpoint] = serviceMonitor.spec.endpoints;
  t.is(serviceMonitor.spec.endpoints.length, 1);
  t.is(endpoint.port, service.spec.ports[0].name);
  t.is(endpoint.path, '/metrics');
  t.true(endpoint.honorLabels);
});

test("the ServiceMonitor drops the operator's target labels that describe the exporter's pod, and keeps job and instance", (t) => {
  const [endpoint] = serviceMonitor.spec.endpoints;
  t.deepEqual(
    endpoint.relabelings.map((rule: { action: string }) => rule.action),
    ['labeldrop'],
  );
  const { regex } = endpoint.relabelings[0];
  for (const label of ['namespace', 'service', 'pod', 'container', 'endpoint']) t.true(fullMatch(regex, label), label);
  for (const label of ['job', 'instance', 'name']) t.false(fullMatch(regex, label), label);
});
