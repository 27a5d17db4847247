/** What a workload's pod template says of its containers: images, requests and limits (in base units). Pure. */

import { type Fields, quantities, record, records, text } from './fields.js';
import type { KubeObject } from './kube-object.js';

export interface ContainerResources {
  readonly name: string;
  readonly image: string;
  readonly requests: Readonly<Record<string, number>>;
  readonly limits: Readonly<Record<string, number>>;
}

export function containerResources(podSpec: Fields): ContainerResources[] {
  return records(podSpec.containers).map((container) => ({
    name: text(container.name),
    image: text(container.image),
    requests: quantities(record(container.resources).requests),
    limits: quantities(record(container.resources).limits),
  }));
}

/** The pod template's spec of a deployment (or any workload with spec.template). */
export function templateSpec(workload: KubeObject): Fields {
  return record(record(record(workload.spec).template).spec);
}
