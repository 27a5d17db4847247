/** A Kubernetes API object as the exporter receives it: untrusted JSON with, at best, a name and a namespace. */

export interface KubeObject {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly [field: string]: unknown;
}
