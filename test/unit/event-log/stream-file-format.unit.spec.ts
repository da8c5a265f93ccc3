import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBatch, scanStreamFile } from '../../../src/adapters/event-log/stream-file-format.ts';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('stream file format', () => {
  it('writes one {"v","e"} line per event; a batch says its size on its first line', () => {
    expect(formatBatch(1, ['{"a":1}'])).toBe('{"v":1,"e":{"a":1}}\n');
    expect(formatBatch(4, ['1', '"x"', 'null'])).toBe(
      '{"v":4,"n":3,"e":1}\n{"v":5,"e":"x"}\n{"v":6,"e":null}\n',
    );
  });

  it('reads back what it wrote, batch after batch', () => {
    const text = formatBatch(1, ['"a"']) + formatBatch(2, ['"b"', '"c"']) + formatBatch(4, ['"d"']);
    const scan = scanStreamFile(bytes(text));
    expect(scan).toEqual({
      kind: 'ok',
      lines: [
        { version: 1, line: 1, event: 'a' },
        { version: 2, line: 2, event: 'b' },
        { version: 3, line: 3, event: 'c' },
        { version: 4, line: 4, event: 'd' },
      ],
      goodBytes: text.length,
      tornBytes: 0,
    });
  });

  it('treats bytes after the last newline as a torn tail', () => {
    const good = formatBatch(1, ['"a"']);
    const torn = '{"v":2,"e":"b';
    const scan = scanStreamFile(bytes(good + torn));
    expect(scan).toMatchObject({ kind: 'ok', goodBytes: good.length, tornBytes: torn.length });
    expect(scan.kind === 'ok' && scan.lines.map((l) => l.version)).toEqual([1]);
  });

  it('treats a batch cut short as a torn tail, even when its lines that landed are whole', () => {
    const good = formatBatch(1, ['"a"']);
    const batch = formatBatch(2, ['"b"', '"c"', '"d"']);
    const cut = batch.slice(0, batch.indexOf('\n', batch.indexOf('\n') + 1) + 1); // two of three lines
    const scan = scanStreamFile(bytes(good + cut));
    expect(scan).toMatchObject({ kind: 'ok', goodBytes: good.length, tornBytes: cut.length });
    expect(scan.kind === 'ok' && scan.lines).toHaveLength(1);
  });

  it('finds the last whole batch wherever a write was cut', () => {
    const batches = [['"a"'], ['"b"', '"c"'], ['"d"'], ['"e"', '"f"', '"g"']];
    let text = '';
    const ends: number[] = [0];
    let version = 1;
    for (const b of batches) {
      text += formatBatch(version, b);
      version += b.length;
      ends.push(Buffer.byteLength(text));
    }
    const all = bytes(text);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length }), (cut) => {
        const scan = scanStreamFile(all.subarray(0, cut));
        const expectedGood = Math.max(...ends.filter((e) => e <= cut));
        expect(scan).toMatchObject({ kind: 'ok', goodBytes: expectedGood, tornBytes: cut - expectedGood });
      }),
    );
  });

  it('reports a whole line that is not a record as corruption, with its line number', () => {
    const good = formatBatch(1, ['"a"']);
    const scan = scanStreamFile(bytes(`${good}garbage\n${formatBatch(2, ['"c"'])}`));
    expect(scan).toMatchObject({ kind: 'corrupt', line: 2 });
    expect(scan.kind === 'corrupt' && scan.problem).toMatch(/^not a JSON line/);
    expect(scanStreamFile(bytes(`${good}{"v":2}\n`))).toMatchObject({ kind: 'corrupt', line: 2 });
    expect(scanStreamFile(bytes(`${good}[1]\n`))).toMatchObject({ kind: 'corrupt', line: 2 });
  });

  it('reports versions out of sequence', () => {
    expect(scanStreamFile(bytes('{"v":1,"e":1}\n{"v":3,"e":2}\n'))).toEqual({
      kind: 'corrupt',
      line: 2,
      problem: 'expected version 2, found 3',
    });
    expect(scanStreamFile(bytes('{"v":"1","e":1}\n'))).toMatchObject({ kind: 'corrupt', line: 1 });
  });

  it('reports bad batch sizes and a batch inside a batch', () => {
    expect(scanStreamFile(bytes('{"v":1,"n":1,"e":1}\n'))).toMatchObject({ kind: 'corrupt', line: 1 });
    expect(scanStreamFile(bytes('{"v":1,"n":3,"e":1}\n{"v":2,"n":2,"e":1}\n'))).toMatchObject({
      kind: 'corrupt',
      line: 2,
      problem: 'a batch starts inside a batch',
    });
  });

  it('refuses bytes that are not UTF-8 in a whole line', () => {
    const bad = Buffer.concat([Buffer.from('{"v":1,"e":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    expect(scanStreamFile(bad)).toMatchObject({ kind: 'corrupt', line: 1 });
  });

  it('reads an empty file as an empty stream', () => {
    expect(scanStreamFile(new Uint8Array())).toEqual({ kind: 'ok', lines: [], goodBytes: 0, tornBytes: 0 });
  });
});
