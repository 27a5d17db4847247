/**
 * `--fields-config FILE`: declared fields (src/kinds/declared-fields.ts) for any kind, custom resources included, in
 * YAML or JSON, checked against a JSON Schema (ajv) and then compiled; a bad file is a UsageError naming the place
 * in the file that is wrong. parseFieldsConfig is pure; loadFieldsConfig reads the file.
 */

import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { KindFields } from '../kinds/declared-fields.js';
import { compileDeclared } from '../metrics/declared.js';
import { UsageError } from '../util/errors.js';

const path = { type: 'string', minLength: 1, maxLength: 512 } as const;
const labelName = { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', maxLength: 128 } as const;
const familyName = { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', maxLength: 200 } as const;

export const FIELDS_CONFIG_SCHEMA = {
  type: 'object',
  required: ['kinds'],
  additionalProperties: false,
  properties: {
    kinds: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9_]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          stateSets: {
            type: 'array',
            items: {
              type: 'object',
              required: ['path', 'label'],
              additionalProperties: false,
              properties: {
                path,
                label: labelName,
                values: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 64,
                  items: { type: 'string', minLength: 1, maxLength: 128 },
                },
                of: { enum: ['value', 'key'] },
              },
            },
          },
          info: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'labels'],
              additionalProperties: false,
              properties: {
                name: familyName,
                each: path,
                when: path,
                labels: {
                  type: 'object',
                  minProperties: 1,
                  maxProperties: 64,
                  propertyNames: labelName,
                  additionalProperties: path,
                },
              },
            },
          },
          keys: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'path', 'label'],
              additionalProperties: false,
              properties: {
                name: familyName,
                path,
                prefix: { type: 'string', minLength: 1 },
                label: labelName,
                valueLabel: labelName,
              },
            },
          },
          percents: {
            type: 'array',
            items: {
              type: 'object',
              required: ['path', 'of', 'round'],
              additionalProperties: false,
              properties: { path, of: path, round: { enum: ['up', 'down'] } },
            },
          },
          zeros: { type: 'array', items: path },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(FIELDS_CONFIG_SCHEMA);

/** `/kinds/crontab/stateSets/0/label` → `kinds.crontab.stateSets[0].label`. */
function placeOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((place, part) => (/^\d+$/.test(part) ? `${place}[${part}]` : place ? `${place}.${part}` : part), '');
}

function describe(error: ErrorObject): string {
  const place = placeOf(error.instancePath) || '(top level)';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${place}: unknown key "${params.additionalProperty}"`;
  if (error.keyword === 'required') return `${place}: missing "${params.missingProperty}"`;
  const key = error.propertyName ?? params.propertyName;
  if (key !== undefined) return `${place}: key "${key}" is not a valid name (${error.message})`;
  if (error.keyword === 'enum') return `${place}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  return `${place}: ${error.message}`;
}

/**
 * The declarations of a fields file's text, by kind (metric name); throws a plain Error naming the place that is
 * wrong (`kinds.crontab.stateSets[0]: missing "label"`). JSON is YAML, so one parser reads both.
 */
export function parseFieldsConfig(text: string): Record<string, KindFields> {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new Error(`not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!validate(document)) {
    // The first error at the deepest place is the most specific one.
    const errors = [...(validate.errors ?? [])].sort(
      (a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length,
    );
    throw new Error(describe(errors[0]));
  }
  const kinds = (document as { kinds: Record<string, KindFields> }).kinds;
  compileDeclared(kinds);
  return kinds;
}

/** Reads and checks the file; a UsageError (exit 2) names the file and the place in it that is wrong. */
export function loadFieldsConfig(file: string): Record<string, KindFields> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--fields-config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return parseFieldsConfig(text);
  } catch (error) {
    throw new UsageError(`--fields-config ${file}: ${(error as Error).message}`);
  }
}
