/**
 * Unknown or mistyped fields in a Kubernetes object, checked against the API models that @kubernetes/client-node
 * generates from the Kubernetes OpenAPI spec: what `kubectl create` would reject on a real cluster, which
 * `kubectl --dry-run=client` cannot check without one.
 */

import * as k8s from '@kubernetes/client-node';

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

interface Model {
  getAttributeTypeMap(): Attribute[];
}

const MODELS = k8s as unknown as Record<string, Partial<Model> | undefined>;

export function apiFieldProblems(object: { apiVersion?: unknown; kind?: unknown }): string[] {
  const version = String(object.apiVersion).split('/').pop() ?? '';
  const modelName = `${version.charAt(0).toUpperCase()}${version.slice(1)}${String(object.kind)}`;
  if (!modelOf(modelName)) return [`${object.apiVersion} ${object.kind}: no such API type`];
  const problems: string[] = [];
  checkValue(modelName, object, String(object.kind), problems);
  return problems;
}

function modelOf(type: string): Model | undefined {
  const model = MODELS[type];
  return typeof model?.getAttributeTypeMap === 'function' ? (model as Model) : undefined;
}

function checkValue(type: string, value: unknown, path: string, problems: string[]): void {
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${path}: expected ${what}, got ${JSON.stringify(value)}`);
  };
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    expect(Array.isArray(value), 'a list');
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        checkValue(list[1], item, `${path}[${index}]`, problems);
      });
    }
  } else if (type === '{ [key: string]: string; }') {
    expect(isObject(value) && Object.values(value).every((item) => typeof item === 'string'), 'a map of strings');
  } else if (type === 'string' || type === 'Date') {
    expect(typeof value === 'string', 'a string');
  } else if (type === 'number') {
    expect(typeof value === 'number', 'a number');
  } else if (type === 'boolean') {
    expect(typeof value === 'boolean', 'a boolean');
  } else if (type === 'IntOrString') {
    expect(typeof value === 'string' || typeof value === 'number', 'an integer or a string');
  } else if (modelOf(type)) {
    expect(isObject(value), `an object (${type})`);
    if (isObject(value)) checkFields(modelOf(type)!, value, path, problems);
  } else if (type !== 'any' && type !== 'object') {
    problems.push(`${path}: unknown API type ${type}`);
  }
}

function checkFields(model: Model, value: Record<string, unknown>, path: string, problems: string[]): void {
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  for (const [field, child] of Object.entries(value)) {
    const type = attributes.get(field);
    if (type === undefined) problems.push(`${path}.${field}: unknown field`);
    else checkValue(type, child, `${path}.${field}`, problems);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
