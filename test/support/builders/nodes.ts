/** Nodes as the API serves them, with everything a report must leave out: names, addresses, labels, machine IDs. */

import { node } from './objects.js';

export const NODE_SECRETS_RE =
  /worker-|10\.0\.|node-role|team-payments|machine-id-|system-uuid-|boot-id-|providerID|aws:/;

export function apiNode(index: number, kubeletVersion: string, osImage: string) {
  return node(`worker-${index}.prod.example.com`, {
    metadata: {
      labels: {
        'node-role.kubernetes.io/worker': '',
        team: 'team-payments',
        'kubernetes.io/hostname': `worker-${index}`,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { podCIDR: `10.0.${index}.0/24`, providerID: `aws:///eu-west-1a/i-0${index}` },
    status: {
      capacity: { cpu: '4', memory: '16318684Ki', pods: '110', 'ephemeral-storage': '101430960Ki' },
      allocatable: { cpu: '3800m', memory: '15000000Ki', pods: '110' },
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${index}` },
        { type: 'Hostname', address: `worker-${index}` },
      ],
      nodeInfo: {
        machineID: `machine-id-${index}`,
        systemUUID: `system-uuid-${index}`,
        bootID: `boot-id-${index}`,
        kernelVersion: '6.1.0-28-amd64',
        osImage,
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion,
        kubeProxyVersion: kubeletVersion,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  });
}
