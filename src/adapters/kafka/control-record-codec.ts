import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import type { ControlRecord } from '../../ports/record-publisher.ts';

const ControlRecordsC = t.readonlyArray(t.type({ key: t.string, value: t.string }));

/** One `publish` call's records as one journal record. */
export const encodeControlRecords = (records: readonly ControlRecord[]): Buffer =>
  Buffer.from(JSON.stringify(records.map((r) => ({ key: r.key, value: r.value }))), 'utf8');

/** A journal record back as control records; undefined when it is not one (a file from elsewhere). */
export const decodeControlRecords = (payload: Buffer): readonly ControlRecord[] | undefined => {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const decoded = ControlRecordsC.decode(json);
  return E.isRight(decoded) ? decoded.right : undefined;
};
