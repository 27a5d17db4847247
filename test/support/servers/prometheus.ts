/**
 * Real Prometheus and Alertmanager servers (the Debian packages) for end-to-end tests: each on a free 127.0.0.1
 * port with a temp dir, stopped and cleaned up in t.teardown whatever the test's outcome.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { parse, stringify } from 'yaml';
import { eventually } from '../harness/cluster.js';
import { type ApiObject, K8S_DIR, loadManifests, objectOfKind } from '../harness/manifests.js';
import { freePort, stopChild } from '../harness/process.js';
import type { RuleGroup } from '../harness/rules.js';
import { ALERTMANAGER, PROMETHEUS, type Tool } from '../harness/tools.js';

export const SCRAPE_CONFIG_FILE = join(K8S_DIR, 'prometheus', 'scrape-config.yml');

export interface RunningServer {
  readonly url: string;
  /** host:port, as Prometheus' alertmanager targets want it. */
  readonly address: string;
}

/** Starts Prometheus with this configuration (rule groups are written next to it) and waits until it is ready. */
export async function startPrometheus(
  t: ExecutionContext,
  config: object,
  ruleGroups: readonly RuleGroup[],
): Promise<RunningServer> {
  const dir = tempDir(t, 'prometheus-');
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, stringify({ groups: ruleGroups }));
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ ...config, rule_files: [rulesFile] }));
  return startServer(t, PROMETHEUS, (address) => [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    '--log.level=warn',
  ]);
}

export async function startAlertmanager(t: ExecutionContext, config: object): Promise<RunningServer> {
  const dir = tempDir(t, 'alertmanager-');
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  return startServer(t, ALERTMANAGER, (address) => [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    // No high-availability gossip: it would listen on all interfaces.
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
}

export interface AlertingPipelineOptions {
  /** host:port of the exporter, scraped with the shipped scrape job as the Deployment's pod. */
  readonly exporterHost: string;
  readonly webhookUrl: string;
  readonly ruleGroups: readonly RuleGroup[];
  readonly groupWait?: string;
  readonly inhibitRules?: readonly object[];
}

/**
 * Alertmanager notifying a webhook of each alert (firing and resolved), and Prometheus scraping the exporter and
 * evaluating the rules every second, sending to that Alertmanager.
 */
export async function startAlertingPipeline(
  t: ExecutionContext,
  { exporterHost, webhookUrl, ruleGroups, groupWait = '0s', inhibitRules = [] }: AlertingPipelineOptions,
): Promise<{ prometheus: RunningServer; alertmanager: RunningServer }> {
  const alertmanager = await startAlertmanager(t, {
    route: {
      receiver: 'webhook',
      group_by: ['alertname', 'namespace', 'name'],
      group_wait: groupWait,
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
    inhibit_rules: inhibitRules,
  });
  const prometheus = await startPrometheus(
    t,
    {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.address] }] }] },
      scrape_configs: scrapeJobsForPod(objectOfKind(loadManifests(), 'Deployment'), 'http', exporterHost),
    },
    ruleGroups,
  );
  return { prometheus, alertmanager };
}

function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startServer(
  t: ExecutionContext,
  tool: Tool,
  args: (address: string) => string[],
): Promise<RunningServer> {
  const address = `127.0.0.1:${await freePort()}`;
  const child = spawn(tool.command, args(address), { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  // Registered after the temp dir's teardown, so it runs first: the process stops before its files go.
  t.teardown(() => stopChild(child, 'SIGTERM', 5000));
  const url = `http://${address}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${tool.command} exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${url}/-/ready`)).ok;
    },
    `${tool.command} ready`,
    20_000,
  );
  return { url, address };
}

/**
 * The scrape jobs of k8s/prometheus/scrape-config.yml, with Kubernetes pod discovery (not built into Debian's
 * Prometheus) replaced by static targets that carry the labels pod discovery gives the Deployment's pod: its
 * namespace, labels, annotations and each container port. `address` stands for the pod IP and port of `portName`;
 * the other ports get an unused address.
 */
export function scrapeJobsForPod(deployment: ApiObject, portName: string, address: string): object[] {
  const { scrape_configs: jobs } = parse(readFileSync(SCRAPE_CONFIG_FILE, 'utf8'));
  const template = deployment.spec.template;
  const podLabels: Record<string, string> = {
    __meta_kubernetes_namespace: deployment.metadata.namespace!,
    __meta_kubernetes_pod_name: `${deployment.metadata.name}-5c7d9f8b6-x4x2z`,
    __meta_kubernetes_pod_ready: 'true',
  };
  for (const [name, value] of Object.entries<string>(template.metadata.labels ?? {})) {
    podLabels[`__meta_kubernetes_pod_label_${sanitize(name)}`] = value;
    podLabels[`__meta_kubernetes_pod_labelpresent_${sanitize(name)}`] = 'true';
  }
  for (const [name, value] of Object.entries<string>(template.metadata.annotations ?? {})) {
    podLabels[`__meta_kubernetes_pod_annotation_${sanitize(name)}`] = value;
    podLabels[`__meta_kubernetes_pod_annotationpresent_${sanitize(name)}`] = 'true';
  }
  const targets = template.spec.containers.flatMap(
    (container: { name: string; ports?: { name: string; containerPort: number; protocol?: string }[] }) =>
      (container.ports ?? []).map((port) => ({
        targets: [port.name === portName ? address : '127.0.0.1:9'],
        labels: {
          ...podLabels,
          __meta_kubernetes_pod_container_name: container.name,
          __meta_kubernetes_pod_container_port_name: port.name,
          __meta_kubernetes_pod_container_port_number: String(port.containerPort),
          __meta_kubernetes_pod_container_port_protocol: port.protocol ?? 'TCP',
        },
      })),
  );
  return jobs.map(({ kubernetes_sd_configs: _discovery, ...job }: Record<string, unknown>) => ({
    ...job,
    static_configs: targets,
  }));
}

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Prometheus' HTTP API: the `data` of a successful response. */
export async function prometheusApi<T>(server: RunningServer, path: string): Promise<T> {
  const response = await fetch(`${server.url}/api/v1/${path}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}
