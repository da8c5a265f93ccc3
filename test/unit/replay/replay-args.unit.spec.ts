import { describe, expect, it } from 'vitest';
import { parseInstant, parseReplayArgs } from '../../../src/app/root/cli/replay-command.ts';

describe('tickflow replay arguments', () => {
  it('reads times as IST unless they carry Z or an offset', () => {
    expect(parseInstant('2025-11-20T09:15')).toBe(Date.parse('2025-11-20T09:15:00+05:30'));
    expect(parseInstant('2025-11-20 09:15:30.250')).toBe(Date.parse('2025-11-20T09:15:30.250+05:30'));
    expect(parseInstant('2025-11-20')).toBe(Date.parse('2025-11-20T00:00:00+05:30'));
    expect(parseInstant('2025-11-20T03:45:00Z')).toBe(Date.parse('2025-11-20T03:45:00Z'));
    expect(parseInstant('2025-11-20T09:15+0530')).toBe(Date.parse('2025-11-20T09:15:00+05:30'));
    expect(parseInstant('2025-02-30T09:15')).toBeUndefined();
    expect(parseInstant('yesterday')).toBeUndefined();
  });

  it('builds the request: files, sink, speed, window, tokens, marking', () => {
    expect(
      parseReplayArgs([
        'a.tfrec',
        'dir',
        '--sink',
        'ndjson',
        '--out',
        'o.ndjson',
        '--speed',
        '4',
        '--from',
        '2025-11-20T09:15',
        '--tokens',
        '2885,11536',
        '--mark-replay',
        '--tick-time-zone',
        'utc',
        '--unscreened',
      ]),
    ).toEqual({
      _tag: 'Right',
      right: {
        sink: { kind: 'ndjson', out: 'o.ndjson' },
        unscreened: true,
        request: {
          paths: ['a.tfrec', 'dir'],
          speed: 4,
          markReplay: true,
          from: Date.parse('2025-11-20T09:15:00+05:30'),
          tokens: ['2885', '11536'],
          tickTimeZone: 'utc',
        },
      },
    });
    expect(parseReplayArgs(['a', '--sink', 'kafka', '--topic', 't'])).toMatchObject({
      right: {
        sink: { kind: 'kafka', topic: 't' },
        unscreened: false,
        request: { speed: 'max', markReplay: false },
      },
    });
  });

  it('says what is wrong, one thing at a time', () => {
    const problem = (args: string[]): unknown => parseReplayArgs(args);
    expect(problem(['--sink', 'stdout'])).toEqual({
      _tag: 'Left',
      left: 'name at least one file or directory to replay',
    });
    expect(problem(['a'])).toEqual({ _tag: 'Left', left: '--sink must be kafka, stdout or ndjson' });
    expect(problem(['a', '--sink', 'ndjson'])).toEqual({
      _tag: 'Left',
      left: '--sink ndjson needs --out PATH',
    });
    expect(problem(['a', '--sink', 'stdout', '--speed', '0'])).toEqual({
      _tag: 'Left',
      left: '--speed takes max or a number above 0',
    });
    expect(problem(['a', '--sink', 'stdout', '--tokens', '1,x'])).toEqual({
      _tag: 'Left',
      left: '--tokens: "x" is not an instrument token',
    });
    expect(problem(['a', '--sink', 'stdout', '--from', '2025-11-21', '--to', '2025-11-20'])).toEqual({
      _tag: 'Left',
      left: '--from is after --to',
    });
    expect(problem(['a', '--sink', 'stdout', '--loud'])).toEqual({
      _tag: 'Left',
      left: 'unknown option --loud',
    });
    expect(problem(['a', '--sink', 'stdout', '--out', 'x'])).toEqual({
      _tag: 'Left',
      left: '--out goes with --sink ndjson',
    });
  });
});
