/**
 * The anonymous cluster report (spartakus and tectonic-stats shapes), built from the cached nodes. Pure. A report
 * holds per node only its capacity and a whitelist of nodeInfo fields: no names, addresses, labels, machine or boot
 * IDs, nothing that identifies the cluster beyond its clusterID.
 */

import { type Fields, record } from '../objects/fields.js';

export const REPORT_FORMATS = ['spartakus', 'tectonic'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** nodeInfo fields that describe software, not a machine (machineID, systemUUID and bootID are left out). */
const REPORTED_NODE_INFO = [
  'osImage',
  'kernelVersion',
  'kubeletVersion',
  'containerRuntimeVersion',
  'kubeProxyVersion',
  'operatingSystem',
  'architecture',
] as const;

export interface ReportedNode {
  readonly status: {
    readonly capacity: Readonly<Record<string, string>>;
    readonly nodeInfo: Readonly<Record<string, string>>;
  };
}

export interface SpartakusReport {
  readonly metadata: { readonly timestamp: string };
  readonly payload: { readonly clusterID: string; readonly nodes: readonly ReportedNode[] };
}

export interface TectonicReport {
  readonly accountID: string;
  readonly accountSecret: string;
  readonly metadata: { readonly generated_at: string };
  readonly payload: { readonly clusterID: string; readonly kubernetesNodes: readonly ReportedNode[] };
}

export type Report = SpartakusReport | TectonicReport;

export interface ReportIdentity {
  readonly clusterID: string;
  readonly format: ReportFormat;
  /** tectonic only */
  readonly accountID?: string;
  /** tectonic only; '' where the report is shown rather than sent (/report.json). */
  readonly accountSecret?: string;
}

export function buildReport(nodes: Iterable<unknown>, identity: ReportIdentity, now: Date): Report {
  const reported = [...nodes].map(reportedNode);
  const seconds = String(Math.floor(now.getTime() / 1000));
  if (identity.format === 'tectonic') {
    return {
      accountID: identity.accountID ?? '',
      accountSecret: identity.accountSecret ?? '',
      metadata: { generated_at: seconds },
      payload: { clusterID: identity.clusterID, kubernetesNodes: reported },
    };
  }
  return { metadata: { timestamp: seconds }, payload: { clusterID: identity.clusterID, nodes: reported } };
}

function reportedNode(node: unknown): ReportedNode {
  const status = record(record(node).status);
  const nodeInfo = record(status.nodeInfo);
  const capacity = record(status.capacity);
  return {
    status: {
      capacity: stringsOf(capacity, Object.keys(capacity)),
      nodeInfo: stringsOf(nodeInfo, REPORTED_NODE_INFO),
    },
  };
}

function stringsOf(source: Fields, keys: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) if (typeof source[key] === 'string') picked[key] = source[key];
  return picked;
}
