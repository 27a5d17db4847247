/**
 * Deployment history, from the cache's change events: every rollout the exporter observes (a deployment's
 * metadata.generation rising, or a deployment created after the exporter started), with the images and container
 * resources of that generation and how it ended. History starts when the exporter starts and lives in memory only,
 * bounded per deployment and overall; the oldest rollouts are dropped first.
 *
 * Outcomes, as `kubectl rollout status` judges them:
 * - completed: status.observedGeneration caught up with the generation, and updated, available and total replicas
 *   all equal spec.replicas (old replicas gone);
 * - failed: the controller saw the generation and reports condition Progressing=False with reason
 *   ProgressDeadlineExceeded (spec.progressDeadlineSeconds passed without progress);
 * - superseded: a newer generation arrived before this one completed or failed;
 * - progressing: none of these yet.
 * The first outcome reached is final.
 */

import type { CacheChange } from '../cache.js';
import { optionalNumber, optionalText, record, records, text } from '../objects/fields.js';
import type { KubeObject } from '../objects/kube-object.js';
import { type ContainerResources, containerResources, templateSpec } from '../objects/pod-template.js';
import { type NamespaceFilter, namespaceVisible } from './namespace-filter.js';

export type RolloutOutcome = 'progressing' | 'completed' | 'failed' | 'superseded';

export interface Rollout {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  /** When the exporter saw the new generation (RFC 3339). */
  readonly observedAt: string;
  readonly replicas: number;
  readonly images: readonly string[];
  /** Each container's image, requests and limits in this generation's pod template. */
  readonly containers: readonly ContainerResources[];
  readonly outcome: RolloutOutcome;
  /** When the outcome was reached; absent while progressing. */
  readonly finishedAt?: string;
}

/** Rollouts started within each window, per namespace. */
const COUNT_WINDOWS: ReadonlyArray<readonly [label: string, ms: number]> = [
  ['1h', 3_600_000],
  ['24h', 86_400_000],
  ['7d', 604_800_000],
];

export interface DeploymentHistoryView {
  /** The exporter's start: nothing before it is known. */
  readonly since: string;
  /** Counts cover rollouts from this time on (later than `since` once the bounds dropped rollouts). */
  readonly countsCompleteSince: string;
  readonly limits: { readonly perDeployment: number; readonly total: number };
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Oldest first. */
  readonly rollouts: readonly Rollout[];
}

export interface DeploymentHistoryOptions {
  readonly perDeployment: number;
  readonly total: number;
  readonly startedAt: Date;
  readonly now?: () => Date;
}

/** The outcome a deployment's status shows for its current generation; undefined while still progressing. */
export function rolloutOutcome(deployment: KubeObject): 'completed' | 'failed' | undefined {
  const generation = optionalNumber(record(deployment.metadata).generation) ?? 0;
  const status = record(deployment.status);
  if ((optionalNumber(status.observedGeneration) ?? 0) < generation) return undefined;
  const progressing = records(status.conditions).find((condition) => condition.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') return 'failed';
  const desired = optionalNumber(record(deployment.spec).replicas) ?? 1;
  const updated = optionalNumber(status.updatedReplicas) ?? 0;
  const available = optionalNumber(status.availableReplicas) ?? 0;
  const total = optionalNumber(status.replicas) ?? 0;
  return updated === desired && available === desired && total === desired ? 'completed' : undefined;
}

type MutableRollout = { -readonly [K in keyof Rollout]: Rollout[K] };

export class DeploymentHistory {
  /** Oldest first. */
  private readonly rollouts: MutableRollout[] = [];
  /** The same rollouts by deployment uid, oldest first. */
  private readonly byDeployment = new Map<string, MutableRollout[]>();
  private countsCompleteSince: Date;
  private readonly now: () => Date;

  constructor(private readonly options: DeploymentHistoryOptions) {
    this.countsCompleteSince = options.startedAt;
    this.now = options.now ?? (() => new Date());
  }

  /** Feed of ClusterCache.onChange. */
  observe(change: CacheChange): void {
    if (change.kind.metricName !== 'deployment' || change.type !== 'upsert') return;
    const deployment = change.object;
    const generation = optionalNumber(record(deployment.metadata).generation);
    if (generation === undefined) return;
    const now = this.now();
    if (this.startsRollout(deployment, change.previous, generation)) this.record(deployment, generation, now);
    const open = this.byDeployment
      .get(uidOf(deployment))
      ?.find((rollout) => rollout.generation === generation && rollout.outcome === 'progressing');
    const outcome = open && rolloutOutcome(deployment);
    if (open && outcome) {
      open.outcome = outcome;
      open.finishedAt = now.toISOString();
    }
  }

  view(filter: NamespaceFilter, now = this.now()): DeploymentHistoryView {
    const rollouts = this.rollouts
      .filter((rollout) => namespaceVisible(filter, rollout.namespace))
      .map((rollout) => ({ ...rollout }));
    const counts: Record<string, Record<string, number>> = {};
    for (const rollout of rollouts) {
      const age = now.getTime() - Date.parse(rollout.observedAt);
      counts[rollout.namespace] ??= Object.fromEntries(COUNT_WINDOWS.map(([label]) => [label, 0]));
      const windows = counts[rollout.namespace];
      for (const [label, ms] of COUNT_WINDOWS) if (age <= ms) windows[label] += 1;
    }
    return {
      since: this.options.startedAt.toISOString(),
      countsCompleteSince: this.countsCompleteSince.toISOString(),
      limits: { perDeployment: this.options.perDeployment, total: this.options.total },
      counts,
      rollouts,
    };
  }

  private startsRollout(deployment: KubeObject, previous: KubeObject | undefined, generation: number): boolean {
    if (!previous) {
      // creationTimestamp has whole seconds: one created in the exporter's first second counts as existing before.
      const created = Date.parse(text(record(deployment.metadata).creationTimestamp));
      return created > this.options.startedAt.getTime();
    }
    const previousGeneration = optionalNumber(record(previous.metadata).generation);
    return previousGeneration !== undefined && generation > previousGeneration;
  }

  private record(deployment: KubeObject, generation: number, now: Date): void {
    const uid = uidOf(deployment);
    const ofDeployment = this.byDeployment.get(uid) ?? [];
    for (const rollout of ofDeployment) {
      if (rollout.outcome === 'progressing') {
        rollout.outcome = 'superseded';
        rollout.finishedAt = now.toISOString();
      }
    }
    const containers = containerResources(templateSpec(deployment));
    const rollout: MutableRollout = {
      namespace: text(deployment.metadata?.namespace),
      name: text(deployment.metadata?.name),
      uid,
      generation,
      observedAt: now.toISOString(),
      replicas: optionalNumber(record(deployment.spec).replicas) ?? 1,
      images: [...new Set(containers.map((container) => container.image))],
      containers,
      outcome: 'progressing',
    };
    this.rollouts.push(rollout);
    ofDeployment.push(rollout);
    this.byDeployment.set(uid, ofDeployment);
    if (ofDeployment.length > this.options.perDeployment) this.drop(ofDeployment[0]);
    if (this.rollouts.length > this.options.total) this.drop(this.rollouts[0]);
  }

  private drop(rollout: MutableRollout): void {
    this.rollouts.splice(this.rollouts.indexOf(rollout), 1);
    const ofDeployment = this.byDeployment.get(rollout.uid)!;
    ofDeployment.splice(ofDeployment.indexOf(rollout), 1);
    if (ofDeployment.length === 0) this.byDeployment.delete(rollout.uid);
    const dropped = new Date(rollout.observedAt);
    if (dropped > this.countsCompleteSince) this.countsCompleteSince = dropped;
  }
}

/** uid, or namespace/name for an object that lacks one. */
function uidOf(deployment: KubeObject): string {
  return (
    optionalText(record(deployment.metadata).uid) ??
    `${text(deployment.metadata?.namespace)}/${text(deployment.metadata?.name)}`
  );
}
