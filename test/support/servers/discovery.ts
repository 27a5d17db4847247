/**
 * A Kubernetes API discovery endpoint (the legacy /api and /apis documents) for a cluster serving the given
 * resources: enough for `kubectl create --dry-run=client`, which maps each manifest's apiVersion and kind to a
 * resource through discovery before printing what it would create. Listens on 127.0.0.1 only.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import _ from 'lodash';

export interface DiscoveredResource {
  /** `v1`, `apps/v1` */
  readonly groupVersion: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface DiscoveryServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDiscoveryServer(resources: readonly DiscoveredResource[]): Promise<DiscoveryServer> {
  const documents = discoveryDocuments(resources);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body = documents.get(path);
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function discoveryDocuments(resources: readonly DiscoveredResource[]): Map<string, unknown> {
  const byGroupVersion = Object.entries(_.groupBy(resources, (resource) => resource.groupVersion));
  const documents = new Map<string, unknown>();
  const groups: unknown[] = [];
  for (const [groupVersion, members] of byGroupVersion) {
    const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
    documents.set(group ? `/apis/${groupVersion}` : `/api/${version}`, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: members.map((resource) => ({
        name: resource.plural,
        singularName: resource.kind.toLowerCase(),
        namespaced: resource.namespaced,
        kind: resource.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      })),
    });
    if (group) {
      const versionEntry = { groupVersion, version };
      groups.push({ name: group, versions: [versionEntry], preferredVersion: versionEntry });
    }
  }
  const coreVersions = byGroupVersion
    .map(([groupVersion]) => groupVersion)
    .filter((groupVersion) => !groupVersion.includes('/'));
  documents.set('/api', { kind: 'APIVersions', versions: coreVersions, serverAddressByClientCIDRs: [] });
  documents.set('/apis', { kind: 'APIGroupList', apiVersion: 'v1', groups });
  return documents;
}
