/**
 * The two report formats the collector accepts, as JSON Schemas checked by ajv: spartakus records on /api/v1 and
 * tectonic-stats envelopes on /api/v1/stats (see src/report/report.ts for what the volunteer sends). Pure.
 */

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ReportFormat } from '../report/report.js';

const shortString = { type: 'string', maxLength: 1024 } as const;
const unixSeconds = { type: 'string', pattern: '^[0-9]{1,12}$' } as const;
const clusterID = { type: 'string', minLength: 1, maxLength: 256, pattern: '\\S' } as const;
const stringMap = { type: 'object', maxProperties: 64, additionalProperties: shortString } as const;

/**
 * Strict: every object has only the members named here (metadata, capacity and nodeInfo excepted, which are maps of
 * strings). A member the summary does not expect (a tectonic payload with `"nodes": "x"`) is refused, not stored.
 */
const node = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'object',
      additionalProperties: false,
      properties: { capacity: stringMap, nodeInfo: stringMap },
    },
  },
} as const;

const nodes = { type: 'array', maxItems: 100_000, items: node } as const;

/** metadata is free-form strings; received_at and received_from are the collector's to set. */
const metadata = (stamp: string) =>
  ({
    type: 'object',
    maxProperties: 64,
    properties: { [stamp]: unixSeconds },
    additionalProperties: shortString,
  }) as const;

const SCHEMAS: Readonly<Record<ReportFormat, object>> = {
  spartakus: {
    type: 'object',
    additionalProperties: false,
    required: ['payload'],
    properties: {
      metadata: metadata('timestamp'),
      payload: {
        type: 'object',
        additionalProperties: false,
        required: ['clusterID', 'nodes'],
        properties: { clusterID, nodes },
      },
    },
  },
  tectonic: {
    type: 'object',
    additionalProperties: false,
    required: ['accountID', 'accountSecret', 'payload'],
    properties: {
      accountID: { type: 'string', minLength: 1, maxLength: 256 },
      accountSecret: { type: 'string', minLength: 1, maxLength: 1024 },
      metadata: metadata('generated_at'),
      payload: {
        type: 'object',
        additionalProperties: false,
        required: ['clusterID', 'kubernetesNodes'],
        properties: { clusterID, kubernetesNodes: nodes },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true });
const validators = Object.fromEntries(
  Object.entries(SCHEMAS).map(([format, schema]) => [format, ajv.compile(schema)]),
) as Record<ReportFormat, ValidateFunction>;

/** A report as received, validated; the accountSecret is not kept: there is no account registry to check it against. */
export interface ValidRecord {
  readonly format: ReportFormat;
  readonly clusterId: string;
  readonly accountId: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

export type Validation =
  | { readonly ok: true; readonly record: ValidRecord }
  | { readonly ok: false; readonly message: string };

export function validateRecord(format: ReportFormat, body: unknown): Validation {
  const validate = validators[format];
  if (!validate(body)) return { ok: false, message: (validate.errors ?? []).map(describe).join('; ') };
  const valid = body as {
    accountID?: string;
    metadata?: Record<string, string>;
    payload: { clusterID: string } & Record<string, unknown>;
  };
  return {
    ok: true,
    record: {
      format,
      clusterId: valid.payload.clusterID,
      accountId: valid.accountID,
      metadata: valid.metadata ?? {},
      payload: valid.payload,
    },
  };
}

/** ajv's wording (`body/payload/nodes must be array`), and the name of a member that is not allowed. */
function describe(error: ErrorObject): string {
  const member = error.keyword === 'additionalProperties' ? ` (${error.params.additionalProperty})` : '';
  return `body${error.instancePath} ${error.message}${member}`;
}
