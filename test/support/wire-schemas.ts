import { readFileSync } from 'node:fs';
import { Ajv2020, type AnySchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { CANDLE_SCHEMA_VERSION } from '../../src/ports/control-records/candle-record.ts';
import { GAP_SCHEMA_VERSION } from '../../src/ports/control-records/gap-record.ts';
import { QUARANTINE_SCHEMA_VERSION } from '../../src/ports/control-records/quarantine-record.ts';
import { TICK_SCHEMA_VERSION } from '../../src/ports/tick-sink/tick-wire.ts';

/** The kinds of record tickflow writes to Kafka, each with its published schema. */
export type RecordKind = 'ticks' | 'quarantine' | 'gaps' | 'candles';

/** The version tickflow's code puts in the `schema-version` header, and the file of that version. */
export const WIRE_SCHEMAS: Readonly<Record<RecordKind, { readonly version: number; readonly file: string }>> =
  {
    ticks: { version: TICK_SCHEMA_VERSION, file: `market_ticks.v${TICK_SCHEMA_VERSION}.schema.json` },
    quarantine: {
      version: QUARANTINE_SCHEMA_VERSION,
      file: `market_ticks_quarantine.v${QUARANTINE_SCHEMA_VERSION}.schema.json`,
    },
    gaps: { version: GAP_SCHEMA_VERSION, file: `market_gaps.v${GAP_SCHEMA_VERSION}.schema.json` },
    candles: { version: CANDLE_SCHEMA_VERSION, file: `market_candles.v${CANDLE_SCHEMA_VERSION}.schema.json` },
  };

const KINDS = Object.keys(WIRE_SCHEMAS) as RecordKind[];

export const readWireSchema = (kind: RecordKind): AnySchemaObject =>
  JSON.parse(
    readFileSync(new URL(`../../docs/schemas/${WIRE_SCHEMAS[kind].file}`, import.meta.url), 'utf8'),
  ) as AnySchemaObject;

/**
 * The schema with every object that lists its properties closed to others (`unevaluatedProperties`
 * sees the fields a `oneOf` branch adds). The published schemas let unknown fields through
 * (consumers must accept a newer producer's optional additions); the closed copy tells whether
 * tickflow itself writes a field its schema does not document.
 */
const closed = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = closed(v);
  if (out['type'] === 'object' && 'properties' in out) {
    // `additionalProperties: true` would count every other field as evaluated.
    delete out['additionalProperties'];
    out['unevaluatedProperties'] = false;
  }
  return out;
};

const validatorsOf = (
  transform: (schema: AnySchemaObject) => AnySchemaObject,
): Record<RecordKind, ValidateFunction> => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const schemas = KINDS.map((kind) => [kind, transform(readWireSchema(kind))] as const);
  for (const [, schema] of schemas) ajv.addSchema(schema);
  return Object.fromEntries(
    schemas.map(([kind, schema]) => [kind, ajv.getSchema(String(schema['$id'])) as ValidateFunction]),
  ) as Record<RecordKind, ValidateFunction>;
};

let cached:
  | {
      readonly published: Record<RecordKind, ValidateFunction>;
      readonly closed: Record<RecordKind, ValidateFunction>;
    }
  | undefined;

/**
 * Why a value (parsed from the record's JSON text) does not match its kind's published schema, or
 * holds a field the schema does not document; empty when it matches.
 */
export const valueErrors = (kind: RecordKind, value: unknown): string[] => {
  cached ??= {
    published: validatorsOf((s) => s),
    closed: validatorsOf((s) => closed(s) as AnySchemaObject),
  };
  const published = cached.published[kind];
  if (!published(value))
    return (published.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  const strict = cached.closed[kind];
  if (!strict(value))
    return (strict.errors ?? []).map(
      (e) => `undocumented field at ${e.instancePath || '/'}: ${JSON.stringify(e.params)}`,
    );
  return [];
};

/** `valueErrors` of a record's JSON text, as a consumer receives it. */
export const schemaErrors = (kind: RecordKind, json: string): string[] => {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return [`not JSON: ${e instanceof Error ? e.message : String(e)}`];
  }
  return valueErrors(kind, value);
};
