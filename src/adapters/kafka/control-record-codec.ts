import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import type { ControlRecord } from '../../ports/record-publisher.ts';

/**
 * Journals written before control records carried a schema version hold `key` and `value` only:
 * those values are version 1, the only version there was, so an old journal replays as it was.
 */
const VERSION_OF_UNVERSIONED_RECORDS = 1;

const SchemaVersionC = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'SchemaVersion');
const JournaledRecordsC = t.readonlyArray(
  t.intersection([t.type({ key: t.string, value: t.string }), t.partial({ schemaVersion: SchemaVersionC })]),
);

/** One `publish` call's records as one journal record. */
export const encodeControlRecords = (records: readonly ControlRecord[]): Buffer =>
  Buffer.from(
    JSON.stringify(records.map((r) => ({ key: r.key, value: r.value, schemaVersion: r.schemaVersion }))),
    'utf8',
  );

/** A journal record back as control records; undefined when it is not one (a file from elsewhere). */
export const decodeControlRecords = (payload: Buffer): readonly ControlRecord[] | undefined => {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const decoded = JournaledRecordsC.decode(json);
  if (E.isLeft(decoded)) return undefined;
  return decoded.right.map((r) => ({
    key: r.key,
    value: r.value,
    schemaVersion: r.schemaVersion ?? VERSION_OF_UNVERSIONED_RECORDS,
  }));
};
