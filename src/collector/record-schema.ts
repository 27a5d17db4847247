/**
 * The two report formats the collector accepts, as JSON Schemas checked by ajv: spartakus records on /api/v1 and
 * tectonic-stats envelopes on /api/v1/stats (see src/report.ts for what the volunteer sends). Pure.
 */

import { Ajv, type ValidateFunction } from 'ajv';
import type { ReportFormat } from '../report/report.js';

const shortString = { type: 'string', maxLength: 1024 } as const;
const unixSeconds = { type: 'string', pattern: '^[0-9]{1,12}$' } as const;
const clusterID = { type: 'string', minLength: 1, maxLength: 256, pattern: '\\S' } as const;
const stringMap = { type: 'object', additionalProperties: shortString } as const;

const node = {
  type: 'object',
  properties: {
    status: {
      type: 'object',
      properties: { capacity: stringMap, nodeInfo: stringMap },
    },
  },
} as const;

const nodes = { type: 'array', maxItems: 100_000, items: node } as const;

/** metadata is free-form strings; received_at and received_from are the collector's to set. */
const metadata = (stamp: string) =>
  ({
    type: 'object',
    properties: { [stamp]: unixSeconds },
    additionalProperties: shortString,
  }) as const;

const SCHEMAS: Readonly<Record<ReportFormat, object>> = {
  spartakus: {
    type: 'object',
    required: ['payload'],
    properties: {
      metadata: metadata('timestamp'),
      payload: { type: 'object', required: ['clusterID', 'nodes'], properties: { clusterID, nodes } },
    },
  },
  tectonic: {
    type: 'object',
    required: ['accountID', 'accountSecret', 'payload'],
    properties: {
      accountID: { type: 'string', minLength: 1, maxLength: 256 },
      accountSecret: { type: 'string', minLength: 1, maxLength: 1024 },
      metadata: metadata('generated_at'),
      payload: {
        type: 'object',
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
  if (!validate(body))
    return { ok: false, message: ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' }) };
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
