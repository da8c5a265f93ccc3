/**
 * The file format of one event stream: NDJSON, one line per event, `{"v":<version>,"e":<event>}`,
 * versions 1, 2, 3... in order. An append of several events is written with one write and must
 * land whole, so its first line also says how many lines the batch holds: `{"v":4,"n":3,"e":...}`.
 *
 * After a crash the file may end in a torn tail: bytes after the last newline, or the first lines
 * of a batch whose last line is missing. Nothing in a torn tail was acknowledged (appends resolve
 * only after fsync), so it is ignored on read and cut off by the next append. A complete line
 * that is not a valid record is corruption, not a torn tail: it is reported, never skipped.
 */

export interface StoredLine {
  readonly version: number;
  /** 1-based line number in the file, for error messages. */
  readonly line: number;
  readonly event: unknown;
}

export type StreamFileScan =
  | {
      readonly kind: 'ok';
      readonly lines: readonly StoredLine[];
      /** Bytes from the start that hold whole batches; the rest is the torn tail. */
      readonly goodBytes: number;
      readonly tornBytes: number;
    }
  | { readonly kind: 'corrupt'; readonly line: number; readonly problem: string };

const NEWLINE = 0x0a;

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

export const scanStreamFile = (content: Uint8Array): StreamFileScan => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: StoredLine[] = [];
  let goodBytes = 0;
  let goodLines = 0;
  let batchEnd = 0; // the version that completes the open batch; 0 when none is open
  let start = 0;
  let lineNo = 0;
  for (;;) {
    const end = content.indexOf(NEWLINE, start);
    if (end === -1) break;
    lineNo += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(content.subarray(start, end)));
    } catch (e) {
      return { kind: 'corrupt', line: lineNo, problem: `not a JSON line (${(e as Error).message})` };
    }
    const version = lines.length + 1;
    if (!isRecord(parsed) || !('e' in parsed))
      return { kind: 'corrupt', line: lineNo, problem: 'expected {"v":<version>,"e":<event>}' };
    if (parsed['v'] !== version)
      return {
        kind: 'corrupt',
        line: lineNo,
        problem: `expected version ${version}, found ${'v' in parsed ? JSON.stringify(parsed['v']) : 'none'}`,
      };
    const n = parsed['n'];
    if (n !== undefined) {
      if (batchEnd !== 0) return { kind: 'corrupt', line: lineNo, problem: 'a batch starts inside a batch' };
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 2)
        return { kind: 'corrupt', line: lineNo, problem: `bad batch size ${JSON.stringify(n)}` };
      batchEnd = version + n - 1;
    }
    lines.push({ version, line: lineNo, event: parsed['e'] });
    start = end + 1;
    if (batchEnd === 0 || version === batchEnd) {
      batchEnd = 0;
      goodBytes = start;
      goodLines = lines.length;
    }
  }
  return {
    kind: 'ok',
    lines: goodLines === lines.length ? lines : lines.slice(0, goodLines),
    goodBytes,
    tornBytes: content.length - goodBytes,
  };
};

/** The lines of one append, given the JSON of each event and the version of the first. */
export const formatBatch = (firstVersion: number, eventsJson: readonly string[]): string =>
  eventsJson
    .map((json, i) =>
      i === 0 && eventsJson.length > 1
        ? `{"v":${firstVersion},"n":${eventsJson.length},"e":${json}}\n`
        : `{"v":${firstVersion + i},"e":${json}}\n`,
    )
    .join('');
