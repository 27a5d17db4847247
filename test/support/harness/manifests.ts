/** The files under k8s/, as kubectl reads them: files in name order, documents in file order. */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = fileURLToPath(new URL('../../../k8s/', import.meta.url));

/** A parsed manifest; deep fields are read loosely and checked by the tests. */
export interface ApiObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: any;
}

export interface Manifest {
  readonly file: string;
  readonly object: ApiObject;
}

/** Every document of the YAML files directly in `dir` (kubectl -f DIR does not recurse). Throws on a YAML error. */
export function loadManifests(dir = K8S_DIR): Manifest[] {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  return files.flatMap((file) =>
    parseYamlDocuments(join(dir, file)).map((object) => ({ file, object: object as ApiObject })),
  );
}

export function parseYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0].message}`);
    return doc.toJS();
  });
}

export function objectOfKind(manifests: readonly Manifest[], kind: string): ApiObject {
  const found = manifests.filter((manifest) => manifest.object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in k8s/, found ${found.length}`);
  return found[0].object;
}
