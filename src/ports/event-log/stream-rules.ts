import { ConcurrencyConflict, type ExpectedVersion } from './event-log.ts';
import { InvalidStreamName } from './event-log-errors.ts';

const STREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@=+-]{0,199}$/;

/**
 * Stream names become file names (and Kafka keys): letters, digits and `._:@=+-`, starting with a
 * letter or digit, at most 200 characters, no `..`. So no `/`, no path that leaves the folder, no
 * hidden file. Every adapter applies the same rule, so a name that works in memory works on disk.
 */
export const checkStreamName = (stream: string): void => {
  if (stream.includes('/') || stream.includes('\\')) throw new InvalidStreamName(stream, 'contains a slash');
  if (stream.includes('..')) throw new InvalidStreamName(stream, 'contains ".."');
  if (!STREAM_NAME.test(stream))
    throw new InvalidStreamName(
      stream,
      'expected 1 to 200 of A-Z a-z 0-9 . _ : @ = + -, starting with a letter or digit',
    );
};

export const checkExpected = (expected: ExpectedVersion): void => {
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0))
    throw new RangeError(`expected version must be an integer >= 0, 'any' or 'no-stream'; got ${expected}`);
};

export const checkFromVersion = (fromVersion: number): void => {
  if (!(Number.isSafeInteger(fromVersion) && fromVersion >= 1))
    throw new RangeError(`fromVersion must be an integer >= 1; got ${fromVersion}`);
};

/** The conflict to raise when a stream at `actual` does not match `expected`, if any. */
export const versionConflict = (
  stream: string,
  expected: ExpectedVersion,
  actual: number,
): ConcurrencyConflict | undefined => {
  if (expected === 'any') return undefined;
  const wanted = expected === 'no-stream' ? 0 : expected;
  return wanted === actual ? undefined : new ConcurrencyConflict(stream, expected, actual);
};
