import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { valueErrors, WIRE_SCHEMAS, type RecordKind } from './wire-schemas.ts';

const run = promisify(execFile);

/** A record as kcat's JSON envelope (`-J`) gives it: headers as a flat name, value, name, ... list. */
const KcatEnvelopeC = t.intersection([
  t.type({
    partition: t.number,
    offset: t.number,
    key: t.union([t.string, t.null]),
    payload: t.union([t.string, t.null]),
  }),
  t.partial({ headers: t.union([t.readonlyArray(t.string), t.null]) }),
]);
type KcatEnvelope = t.TypeOf<typeof KcatEnvelopeC>;

const envelopeOf = (line: string): KcatEnvelope => {
  const decoded = KcatEnvelopeC.decode(JSON.parse(line));
  if (E.isLeft(decoded)) throw new Error(`not a kcat -J envelope: ${line.slice(0, 200)}`);
  return decoded.right;
};

export interface CheckedRecord {
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The value, parsed: it matched its schema. */
  readonly value: Readonly<Record<string, unknown>>;
}

const headersOf = (flat: readonly string[] | null | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; flat !== null && flat !== undefined && i + 1 < flat.length; i += 2)
    out[flat[i] ?? ''] = flat[i + 1] ?? '';
  return out;
};

/**
 * Reads a whole topic with kcat (librdkafka's client, not tickflow's) and checks every record as a
 * consumer would meet it: the value matches the kind's published schema and documents every field
 * tickflow wrote, the `schema-version` header names the version of that schema, the key is the
 * value's token, and a tick's `source` and `tick-id` headers agree with its value. Fails when the
 * topic holds no record (a missing topic cannot pass); returns the records for further checks.
 */
export const expectTopicMatchesSchema = async (
  broker: string,
  topic: string,
  kind: RecordKind,
): Promise<CheckedRecord[]> => {
  const { stdout } = await run('kcat', ['-b', broker, '-t', topic, '-C', '-e', '-q', '-J'], {
    maxBuffer: 512 * 1024 * 1024,
    timeout: 120_000,
  });
  const version = String(WIRE_SCHEMAS[kind].version);
  const problems: string[] = [];
  const records: CheckedRecord[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const envelope = envelopeOf(line);
    const where = `${topic} partition ${envelope.partition} offset ${envelope.offset}`;
    const headers = headersOf(envelope.headers);
    let parsed: unknown;
    try {
      parsed = JSON.parse(envelope.payload ?? 'null');
    } catch {
      problems.push(`${where}: not JSON: ${envelope.payload ?? 'null'}`);
      continue;
    }
    const errors = valueErrors(kind, parsed);
    if (errors.length > 0) {
      problems.push(`${where}: ${errors.join('; ')}: ${envelope.payload ?? 'null'}`);
      continue;
    }
    const value = parsed as Record<string, unknown>;
    const token =
      kind === 'quarantine' ? (value['tick'] as Record<string, unknown>)['token'] : value['token'];
    if (headers['schema-version'] !== version)
      problems.push(`${where}: schema-version header ${JSON.stringify(headers['schema-version'])}`);
    if (envelope.key !== token)
      problems.push(`${where}: key ${String(envelope.key)} for token ${String(token)}`);
    if (kind === 'ticks' && (headers['source'] !== value['source'] || headers['tick-id'] !== value['id']))
      problems.push(`${where}: headers ${JSON.stringify(headers)} disagree with the value`);
    records.push({ key: envelope.key ?? '', headers, value });
  }
  // A few examples are enough to say what drifted; thousands would drown the report.
  if (problems.length > 0)
    throw new Error(
      `${problems.length} record(s) of ${topic} do not match:\n${problems.slice(0, 5).join('\n')}`,
    );
  expect(records.length, `records on ${topic}`).toBeGreaterThan(0);
  return records;
};
